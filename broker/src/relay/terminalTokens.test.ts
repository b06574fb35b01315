import { afterEach, describe, expect, it } from 'vitest';
import { TERMINAL_TOKEN_TTL_MS } from '../auth/terminal/terminalAccess';
import { confirmWithPasskey, post, signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';
import type { WsPeer } from '../testing/wsPeer';

let t: TestBroker;
let clock: number;
let agent: WsPeer;

afterEach(() => t.close());

async function start() {
  clock = Date.now();
  t = await TestBroker.start({ now: () => clock });
  agent = await t.agent((await t.enroll('web-1')).identity);
  await t.agent((await t.enroll('db-1')).identity);
}

async function mint(accessToken: string, machine = 'web-1', loginUser?: string) {
  return post(t, '/api/v1/terminal-tokens', { machine, ...(loginUser ? { loginUser } : {}) }, accessToken);
}

const open = (console: WsPeer, channel: number, terminalToken?: string, machine = 'web-1') =>
  console.send({ type: 'open', channel, machine, cols: 80, rows: 24, ...(terminalToken ? { terminalToken } : {}) });

describe('terminal tokens', () => {
  it('open one terminal once; a reused one is refused', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const minted = await mint(alice.tokens.accessToken);
    expect(minted).toMatchObject({ status: 200, body: { terminalToken: expect.stringMatching(/^ftt_/) } });
    const token = minted.body.terminalToken as string;
    const console = await t.console(alice.tokens.accessToken);
    open(console, 1, token);
    expect(await agent.next('open')).toMatchObject({ operator: 'alice' });
    expect(agent.pending()).toEqual([]);
    open(console, 2, token);
    expect(await console.next('error', (m) => m.channel === 2)).toMatchObject({
      code: 'TERMINAL_TOKEN_INVALID',
      message: expect.stringContaining('already used'),
    });
  });

  it('are required of signed-in people, not of API tokens', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const console = await t.console(alice.tokens.accessToken);
    open(console, 1);
    expect(await console.next('error')).toMatchObject({ code: 'TERMINAL_TOKEN_REQUIRED' });
    const automation = await t.console(t.apiToken('operator', 'ci-bot'));
    open(automation, 1);
    expect(await agent.next('open')).toMatchObject({ operator: 'ci-bot' });
  });

  it('expire after 60 s', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const token = (await mint(alice.tokens.accessToken)).body.terminalToken as string;
    const console = await t.console(alice.tokens.accessToken);
    clock += TERMINAL_TOKEN_TTL_MS;
    open(console, 1, token);
    expect(await console.next('error')).toMatchObject({
      code: 'TERMINAL_TOKEN_INVALID',
      message: expect.stringContaining('expired'),
    });
  });

  it('fit only their machine and their person, and are burnt when tried elsewhere', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const bob = await signedInPerson(t, 'bob');
    const forWeb = (await mint(alice.tokens.accessToken, 'web-1')).body.terminalToken as string;
    const console = await t.console(alice.tokens.accessToken);
    open(console, 1, forWeb, 'db-1');
    expect(await console.next('error')).toMatchObject({
      code: 'TERMINAL_TOKEN_INVALID',
      message: expect.stringContaining('another machine'),
    });
    open(console, 2, forWeb, 'web-1');
    expect(await console.next('error', (m) => m.channel === 2)).toMatchObject({ code: 'TERMINAL_TOKEN_INVALID' });

    const alicesToken = (await mint(alice.tokens.accessToken, 'web-1')).body.terminalToken as string;
    const bobs = await t.console(bob.tokens.accessToken);
    open(bobs, 1, alicesToken);
    expect(await bobs.next('error')).toMatchObject({
      code: 'TERMINAL_TOKEN_INVALID',
      message: expect.stringContaining('someone else'),
    });
  });

  it('are refused after sign-out', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const token = (await mint(alice.tokens.accessToken)).body.terminalToken as string;
    const console = await t.console(alice.tokens.accessToken);
    expect((await post(t, '/api/v1/signout', {}, alice.tokens.accessToken)).status).toBe(200);
    open(console, 1, token);
    expect(await console.next('error')).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await mint(alice.tokens.accessToken)).status).toBe(401);
  });

  it('redeemed twice at once: exactly one wins', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const token = (await mint(alice.tokens.accessToken)).body.terminalToken as string;
    const [first, second] = await Promise.all([
      t.console(alice.tokens.accessToken),
      t.console(alice.tokens.accessToken),
    ]);
    open(first, 1, token);
    open(second, 1, token);
    await agent.next('open');
    const refusals = await Promise.race([first.next('error'), second.next('error')]);
    expect(refusals).toMatchObject({ code: 'TERMINAL_TOKEN_INVALID' });
    expect(agent.pending().filter((m) => m.type === 'open')).toEqual([]);
  });
});

describe('step-up', () => {
  it('is needed again once the last passkey check is older than the window, and a passkey check renews it', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    clock += 5 * 60_000 + 1;
    expect(await mint(alice.tokens.accessToken)).toMatchObject({
      status: 403,
      body: { error: { code: 'STEP_UP_REQUIRED', message: expect.stringContaining('within the last 5m') } },
    });
    expect((await confirmWithPasskey(t, alice.authenticator, alice.tokens.accessToken)).status).toBe(200);
    expect((await mint(alice.tokens.accessToken)).status).toBe(200);
  });

  it('fails with a clear message when the authenticator does not verify the user', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const refused = await confirmWithPasskey(t, alice.authenticator, alice.tokens.accessToken, { uv: false });
    expect(refused).toMatchObject({
      status: 401,
      body: { error: { code: 'USER_VERIFICATION_REQUIRED', message: expect.stringContaining('did not verify you') } },
    });
    const types = t.store.listAuditEvents(1, 500).map((event) => event.type);
    expect(types).toContain('stepup.refused');
  });
});
