import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, PROTOCOL_VERSION } from '../../../common/protocol';
import { agentTlsOptions, TestBroker } from '../testing/testBroker';
import { WsPeer } from '../testing/wsPeer';

let t: TestBroker;
afterEach(() => t.close());

describe('upgrade authentication', () => {
  it('answers a console with a wrong, expired or revoked API token with a JSON 401 and no WebSocket', async () => {
    t = await TestBroker.start();
    const expired = t.apiToken('operator', 'old', 1);
    const revoked = t.apiToken('operator', 'gone');
    t.store.revokeApiTokens('gone', Date.now());
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const token of ['ftk_wrong', expired, revoked, undefined]) {
      const refusal = await WsPeer.refusal(t.wsUrl('/ws/console'), token);
      expect(refusal).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    }
  });

  it('answers an unknown path with 404, and the agent endpoint on the console listener too, saying where it is', async () => {
    t = await TestBroker.start();
    expect(await WsPeer.refusal(t.wsUrl('/ws/elsewhere'), t.apiToken('admin'))).toMatchObject({ status: 404 });
    expect(await WsPeer.refusal(t.wsUrl('/ws/agent'), t.apiToken('admin'))).toMatchObject({
      status: 404,
      body: { error: { message: '/ws/agent is served on the agent listener, not this one' } },
    });
  });
});

describe('hello', () => {
  it('is answered with welcome: the protocol, the heartbeat and the identity', async () => {
    t = await TestBroker.start();
    const peer = await t.rawLink('/ws/console', t.apiToken('operator', 'alice'));
    peer.send({ type: 'hello', protocol: { major: 1, minor: 7 }, role: 'console', software: 'c/1' });
    expect(await peer.next('welcome')).toEqual({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      software: 'fleetterm-broker/0.1.0',
      heartbeatMs: 15_000,
      identity: 'alice',
    });
  });

  it('of another major version gets VERSION_UNSUPPORTED and close 4002', async () => {
    t = await TestBroker.start();
    const peer = await t.rawLink('/ws/console', t.apiToken('operator'));
    peer.send({ type: 'hello', protocol: { major: 2, minor: 0 }, role: 'console', software: 'c/2' });
    expect(await peer.next('error')).toMatchObject({ code: 'VERSION_UNSUPPORTED' });
    expect((await peer.closed).code).toBe(CloseCode.VERSION_UNSUPPORTED);
  });

  it('of another major version is refused with 4002 even when the rest does not match this version’s schema', async () => {
    t = await TestBroker.start();
    const peer = await t.rawAgentLink((await t.enroll('web-1')).identity);
    peer.send({ type: 'hello', protocol: { major: 3, minor: 1 }, role: 'device', identity: { key: 'x' } });
    expect(await peer.next('error')).toMatchObject({ code: 'VERSION_UNSUPPORTED' });
    expect((await peer.closed).code).toBe(CloseCode.VERSION_UNSUPPORTED);
  });

  it('missing within the hello timeout closes the link with 4001', async () => {
    t = await TestBroker.start({ helloTimeoutMs: 100 });
    const peer = await t.rawLink('/ws/console', t.apiToken('operator'));
    expect((await peer.closed).code).toBe(CloseCode.HELLO_REQUIRED);
  });

  it('must come first: anything else, or garbage, closes the link with 4001', async () => {
    t = await TestBroker.start();
    const token = t.apiToken('operator');
    for (const first of [{ type: 'close', channel: 1 }, '{garbage', new Uint8Array(20)]) {
      const peer = await t.rawLink('/ws/console', token);
      if (first instanceof Uint8Array) peer.sendBinary(first);
      else peer.send(first);
      expect(await peer.next('error')).toMatchObject({ code: expect.stringMatching(/UNEXPECTED_MESSAGE|BAD_MESSAGE/) });
      expect((await peer.closed).code).toBe(CloseCode.HELLO_REQUIRED);
    }
  });

  it('with the wrong role for the endpoint closes the link with 4001', async () => {
    t = await TestBroker.start();
    const peer = await t.rawLink('/ws/console', t.apiToken('operator'));
    peer.send({ type: 'hello', protocol: PROTOCOL_VERSION, role: 'agent', software: 'a/1' });
    expect(await peer.next('error')).toMatchObject({ code: 'UNEXPECTED_MESSAGE' });
    expect((await peer.closed).code).toBe(CloseCode.HELLO_REQUIRED);
  });
});

describe('heartbeat', () => {
  it('terminates a link that answers no ping', async () => {
    t = await TestBroker.start({ heartbeatIntervalMs: 50, heartbeatTimeoutMs: 200 });
    const peer = await WsPeer.connect(t.wsUrl('/ws/console'), t.apiToken('operator'), { autoPong: false });
    peer.send({ type: 'hello', protocol: PROTOCOL_VERSION, role: 'console', software: 'c/1' });
    await peer.next('welcome');
    const started = Date.now();
    expect((await peer.closed).code).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('keeps a link that answers pings', async () => {
    t = await TestBroker.start({ heartbeatIntervalMs: 50, heartbeatTimeoutMs: 200 });
    const peer = await t.console(t.apiToken('operator'));
    let pings = 0;
    await new Promise<void>((resolve) =>
      peer.ws.on('ping', () => {
        if (++pings === 8) resolve();
      }),
    );
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);
  });
});

describe('a second agent link for the same machine', () => {
  it('replaces the first, which is closed with 4003', async () => {
    t = await TestBroker.start();
    const { identity } = await t.enroll('web-1');
    const first = await t.agent(identity);
    await t.agent(identity);
    expect((await first.closed).code).toBe(CloseCode.REPLACED);
    expect(t.store.listMachines()[0]?.online).toBe(true);
  });
});

describe('shutdown', () => {
  it('closes every link with 1001', async () => {
    t = await TestBroker.start();
    const { identity } = await t.enroll('web-1');
    const agent = await t.agent(identity);
    const console = await t.console(t.apiToken('operator'));
    await t.broker.close();
    expect((await agent.closed).code).toBe(CloseCode.GOING_AWAY);
    expect((await console.closed).code).toBe(CloseCode.GOING_AWAY);
  });
});

describe('origins', () => {
  it('refuses a console upgrade with a foreign or missing Origin with 403, before looking at the token', async () => {
    t = await TestBroker.start();
    const token = t.apiToken('operator');
    for (const origin of ['https://evil.example', '']) {
      const refusal = await WsPeer.refusal(t.wsUrl('/ws/console'), token, { origin });
      expect(refusal).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    }
    // Same host, other scheme: not ours either.
    const https = await WsPeer.refusal(t.wsUrl('/ws/console'), token, { origin: t.url.replace('http:', 'https:') });
    expect(https.status).toBe(403);
  });

  it('accepts an origin an admin allowed', async () => {
    t = await TestBroker.start({ allowedOrigins: ['https://console.example.org'] });
    const peer = await WsPeer.connect(t.wsUrl('/ws/console'), t.apiToken('operator'), {
      origin: 'https://console.example.org',
    });
    peer.close();
  });

  it('refuses any browser Origin on the agent endpoint, even with a valid certificate', async () => {
    t = await TestBroker.start();
    const { identity } = await t.enroll('web-1');
    const refusal = await WsPeer.refusal(t.broker.agentUrl, undefined, {
      ...agentTlsOptions(identity, t.caRoots()),
      origin: t.url,
    });
    expect(refusal).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });
});
