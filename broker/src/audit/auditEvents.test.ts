import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBroadcastFrame } from '../../../common/protocol';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';
import { WsPeer } from '../testing/wsPeer';
import { CheckpointKey } from './checkpointKey';
import { verifyStoredAuditChain } from './verifyAuditChain';

let t: TestBroker;
let agent: WsPeer;

beforeEach(async () => {
  t = await TestBroker.start();
  agent = await t.agent((await t.enroll('web-1')).identity);
});
afterEach(() => t.close());

const events = () => t.store.listAuditEvents(1, 1000);
const ofType = (type: string) => events().filter((event) => event.type === type);

describe('the broker audits', () => {
  it('an enrolment and a refused one', async () => {
    await expect(t.enroll('web-1')).rejects.toThrow('409');
    expect(ofType('machine.enrolled')).toMatchObject([{ target: 'web-1', detail: { hostname: 'web-1.test' } }]);
    expect(ofType('machine.enroll_refused')).toMatchObject([{ detail: { code: 'MACHINE_NAME_TAKEN' } }]);
  });

  it('a session opened, broadcast to and ended, without its bytes', async () => {
    const console = await t.console(t.apiToken('operator', 'alice'));
    const { sessionId, agentChannel } = await openSession(console, agent, 'web-1', 1);
    // Typing a line into a broadcast: several frames, one broadcast.
    for (const key of ['sec', 'ret', '\n']) {
      console.sendBinary(encodeBroadcastFrame({ type: 'broadcast', channels: [1], payload: Buffer.from(key) }));
      await agent.nextBinary();
    }
    agent.send({ type: 'exit', channel: agentChannel, code: 3, signal: null, offset: 0 });
    await console.next('exit');
    expect(ofType('session.opened')).toMatchObject([
      { actor: 'alice', target: sessionId, detail: { machine: 'web-1', loginUser: 'alice', mode: 'shell' } },
    ]);
    expect(ofType('session.broadcast')).toMatchObject([
      { actor: 'alice', detail: { broadcastId: expect.any(String), sessionIds: [sessionId] } },
    ]);
    expect(ofType('session.ended')).toMatchObject([
      { actor: 'alice', target: sessionId, detail: { exitCode: 3, exitSignal: null, endReason: null } },
    ]);
    expect(JSON.stringify(events())).not.toContain('secret');
    expect(verifyStoredAuditChain(t.store, CheckpointKey.load(t.dataDir))).toMatchObject({ ok: true });
  });

  it('an attach, a refused open and denials', async () => {
    const alice = t.apiToken('operator', 'alice');
    const first = await t.console(alice);
    const { sessionId } = await openSession(first, agent, 'web-1', 1);
    first.close();
    await first.closed;
    await agent.next('detach');
    const second = await t.console(alice);
    second.send({ type: 'attach', channel: 2, sessionId, offset: 0 });
    const attach = await agent.next<{ type: 'attach'; channel: number }>('attach');
    agent.send({ type: 'opened', channel: attach.channel, sessionId, loginUser: 'alice', offset: 0 });
    await second.next('opened');
    second.send({ type: 'open', channel: 3, machine: 'nowhere', cols: 80, rows: 24 });
    await second.next('error');
    const bob = await t.console(t.apiToken('operator', 'bob'));
    bob.send({ type: 'attach', channel: 1, sessionId, offset: 0 });
    await bob.next('error');
    const carol = await t.console(t.apiToken('auditor', 'carol'));
    carol.send({ type: 'open', channel: 1, machine: 'web-1', cols: 80, rows: 24 });
    await carol.next('error');
    expect(ofType('session.attached')).toMatchObject([{ actor: 'alice', target: sessionId }]);
    expect(ofType('session.refused')).toMatchObject([
      { actor: 'alice', target: 'nowhere', detail: { request: 'open', code: 'MACHINE_NOT_FOUND' } },
    ]);
    expect(ofType('access.denied')).toMatchObject([
      { actor: 'bob', target: sessionId, detail: { request: 'attach', code: 'SESSION_NOT_YOURS' } },
      { actor: 'carol', target: 'web-1', detail: { request: 'open', code: 'FORBIDDEN' } },
    ]);
  });

  it('a console link refused at the upgrade', async () => {
    const refusal = await WsPeer.refusal(t.wsUrl('/ws/console'), 'ftk_not-a-token');
    expect(refusal.status).toBe(401);
    expect(ofType('link.refused')).toMatchObject([
      { actor: null, target: '/ws/console', detail: { code: 'UNAUTHORIZED' } },
    ]);
  });
});
