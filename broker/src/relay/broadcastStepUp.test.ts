import { afterEach, describe, expect, it } from 'vitest';
import { encodeBroadcastFrame } from '../../../common/protocol';
import { confirmWithPasskey, post, signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';
import type { WsPeer } from '../testing/wsPeer';
import { broadcastStepUpReason, DEFAULT_BROADCAST_STEP_UP } from './broadcastStepUp';

let t: TestBroker;
let clock: number;
afterEach(() => t.close());

/** Opens channel `channel` on `machine` for a signed-in person, with a terminal token, answering as the agent. */
async function openWithToken(console: WsPeer, agent: WsPeer, accessToken: string, machine: string, channel: number) {
  const { terminalToken } = (await post(t, '/api/v1/terminal-tokens', { machine }, accessToken)).body;
  console.send({ type: 'open', channel, machine, cols: 80, rows: 24, terminalToken });
  const open = await agent.next<{ type: 'open'; channel: number; sessionId: string }>('open');
  agent.send({ type: 'opened', channel: open.channel, sessionId: open.sessionId, loginUser: 'alice', offset: 0 });
  await console.next('opened', (m) => m.channel === channel);
}

const type = (console: WsPeer, channels: number[], text: string) =>
  console.sendBinary(encodeBroadcastFrame({ type: 'broadcast', channels, payload: Buffer.from(text) }));

describe('a broadcast that needs a step-up', () => {
  it('to an env=prod machine is refused without a recent passkey check, and goes through after one', async () => {
    clock = Date.now();
    t = await TestBroker.start({ now: () => clock });
    const agent = await t.agent((await t.enroll('db-1', { env: 'prod' })).identity);
    const alice = await signedInPerson(t, 'alice');
    const console = await t.console(alice.tokens.accessToken);
    await openWithToken(console, agent, alice.tokens.accessToken, 'db-1', 1);

    clock += 6 * 60_000;
    type(console, [1], 'x');
    expect(await console.next('error')).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      message: expect.stringContaining('a broadcast to db-1 (env=prod) needs a passkey check'),
    });
    expect((await confirmWithPasskey(t, alice.authenticator, alice.tokens.accessToken)).status).toBe(200);
    type(console, [1], 'y');
    expect((await agent.nextBinary()).subarray(14).toString()).toBe('y');
  });

  it('is not asked of API tokens (automation cannot step up)', async () => {
    t = await TestBroker.start();
    const agent = await t.agent((await t.enroll('db-1', { env: 'prod' })).identity);
    const console = await t.console(t.apiToken('operator', 'ci-bot'));
    console.send({ type: 'open', channel: 1, machine: 'db-1', cols: 80, rows: 24 });
    const open = await agent.next<{ type: 'open'; channel: number; sessionId: string }>('open');
    agent.send({ type: 'opened', channel: open.channel, sessionId: open.sessionId, loginUser: 'ci', offset: 0 });
    await console.next('opened');
    type(console, [1], 'z');
    expect((await agent.nextBinary()).subarray(14).toString()).toBe('z');
  });
});

describe('broadcastStepUpReason', () => {
  const machine = (name: string, labels: Record<string, string> = {}) => ({ machine: { name, labels } });

  it('names a broadcast wider than the limit, or one reaching a labelled machine', () => {
    const many = Array.from({ length: 11 }, (_, i) => machine(`web-${i}`));
    expect(broadcastStepUpReason(DEFAULT_BROADCAST_STEP_UP, many)).toBe('a broadcast to 11 sessions (more than 10)');
    expect(broadcastStepUpReason(DEFAULT_BROADCAST_STEP_UP, many.slice(0, 10))).toBeUndefined();
    expect(broadcastStepUpReason(DEFAULT_BROADCAST_STEP_UP, [machine('db', { env: 'prod' })])).toBe(
      'a broadcast to db (env=prod)',
    );
  });
});
