import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { arch, hostname, platform } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, decodeAgentToBroker, encodeDataFrame, PROTOCOL_VERSION } from '../../common/protocol';
import { BrokerLink, type BrokerLinkOptions, type LinkTls } from './brokerLink';
import { DEFAULT_CONFIG, type AgentConfig } from './config';
import { SessionManager } from './sessionManager';
import { FAKE_MACHINE_ID, FakeBroker, otherRoot } from './testing/fakeBroker';
import { LogCapture } from './testing/logCapture';
import { AGENT_SOFTWARE } from './version';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: {
    rejectAll?: boolean;
    revoked?: boolean;
    heartbeatTimeoutMs?: number;
    config?: Partial<AgentConfig>;
    tls?: LinkTls;
    renewals?: Pick<BrokerLinkOptions, 'onRenewed' | 'onRenewalRefused' | 'onConnected'>;
  } = {},
) {
  const broker = await FakeBroker.start({ rejectAll: options.rejectAll, revoked: options.revoked });
  cleanups.push(() => broker.close());
  const log = new LogCapture();
  const config = { ...DEFAULT_CONFIG, ...options.config };
  const sessions = new SessionManager({ config, machineName: 'web-1', log: log.logger });
  cleanups.push(() => sessions.shutdown(2000));
  const tls = options.tls ?? (await broker.identity());
  const link = new BrokerLink({
    url: broker.url,
    tls: () => tls,
    ...options.renewals,
    sessions,
    log: log.logger,
    reconnectMaxDelayMs: 50,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 45_000,
  });
  cleanups.push(() => link.stop());
  link.start();
  return { broker, link, log, sessions };
}

/** An HTTP server that answers every upgrade with `answer` (the n-th upgrade, 0-based). */
async function refusingServer(answer: (socket: Duplex, n: number, request: IncomingMessage) => void) {
  const server = createServer();
  let upgrades = 0;
  const waiters = new Set<() => void>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {}); // the agent drops the socket: a reset is expected
    answer(socket, upgrades++, request);
    for (const wake of [...waiters]) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const log = new LogCapture();
  const sessions = new SessionManager({ config: DEFAULT_CONFIG, machineName: 'web-1', log: log.logger });
  cleanups.push(() => sessions.shutdown(2000));
  const link = new BrokerLink({
    // Plain: these tests are about HTTP refusals, which TLS does not change.
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/agent`,
    tls: () => ({ cert: '', key: '', ca: [] }),
    sessions,
    log: log.logger,
    reconnectMaxDelayMs: 50,
    heartbeatTimeoutMs: 45_000,
  });
  cleanups.push(() => link.stop());
  link.start();
  /** Resolves once `n` upgrades were answered. */
  const upgraded = (n: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        if (upgrades < n) return;
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
      wake();
    });
  return { link, log, upgraded };
}

describe('BrokerLink', () => {
  it('presents its certificate, says hello with its machine, and logs "connected" after the welcome', async () => {
    const { broker, log, link } = await setup();
    const connection = await broker.connection(0);
    expect(connection.peerCertificate?.subjectAltName).toBe(`URI:urn:fleetterm:machine:${FAKE_MACHINE_ID}`);
    expect(connection.headers.authorization).toBeUndefined();
    expect(connection.headers['sec-websocket-extensions']).toBeUndefined();
    expect(await connection.next('hello')).toEqual({
      type: 'hello',
      protocol: { ...PROTOCOL_VERSION },
      role: 'agent',
      software: AGENT_SOFTWARE,
      capabilities: [],
      agent: { hostname: hostname(), os: platform(), arch: arch(), sessions: [] },
    });
    expect(link.connected).toBe(false);
    connection.welcome('web-1');
    expect(await log.waitFor('connected')).toMatchObject({ machine: 'web-1' });
    expect(link.connected).toBe(true);
  });

  it('reconnects after the broker drops the socket, and logs "disconnected" with the code and next delay', async () => {
    const { broker, log } = await setup();
    const first = await broker.connection(0);
    first.welcome();
    await log.waitFor('connected');
    first.socket.terminate();
    const disconnected = await log.waitFor('disconnected');
    expect(disconnected).toMatchObject({ code: 1006, delayMs: expect.any(Number) });
    expect(disconnected.delayMs as number).toBeLessThanOrEqual(50);
    const second = await broker.connection(1);
    await second.next('hello');
    second.welcome();
    await log.waitFor((r) => r.msg === 'connected', 10_000, log.records.indexOf(disconnected));
  });

  it('reconnects after the broker shuts down (1001)', async () => {
    const { broker } = await setup();
    const first = await broker.connection(0);
    first.welcome();
    first.socket.close(CloseCode.GOING_AWAY, 'broker restarting');
    await (await broker.connection(1)).next('hello');
  });

  it('lists the sessions it still holds in the hello of the next connection', async () => {
    const { broker } = await setup();
    const first = await broker.connection(0);
    first.welcome();
    first.send({
      type: 'open',
      channel: 3,
      sessionId: 'session-kept-1',
      operator: 'alice',
      mode: 'exec',
      command: 'printf abc; sleep 100',
      cols: 80,
      rows: 24,
    });
    await first.next('opened');
    await first.until(() => first.output === 'abc', 'the output abc');
    first.socket.terminate();
    const second = await broker.connection(1);
    expect((await second.next('hello')).agent?.sessions).toEqual([
      { sessionId: 'session-kept-1', operator: 'alice', offset: 3 },
    ]);
  });

  it('stops for good when the broker rejects the certificate (401)', async () => {
    const { broker, link, log } = await setup({ rejectAll: true });
    expect(await link.done).toEqual({
      reason: 'certificate rejected',
      message:
        "the broker rejected this machine's certificate: UNAUTHORIZED: this broker has no record of the certificate",
    });
    expect(await log.waitFor('disconnected')).toMatchObject({ delayMs: null });
    expect(broker.upgrades).toBe(1);
  });

  it('stops for good when the broker says the machine is revoked (403 MACHINE_REVOKED)', async () => {
    const { link } = await setup({ revoked: true });
    expect(await link.done).toMatchObject({
      reason: 'machine revoked',
      message: expect.stringContaining('MACHINE_REVOKED'),
    });
  });

  it('does not reach a broker whose certificate is not from the CA it trusts', async () => {
    const broker = await FakeBroker.start();
    cleanups.push(() => broker.close());
    const own = await broker.identity();
    const { log } = await setup({ tls: { ...own, ca: [(await otherRoot()).pem] } });
    expect(await log.waitFor('disconnected')).toMatchObject({ delayMs: expect.any(Number) });
    expect(broker.connections).toHaveLength(0);
  });

  it('asks for a renewal over the open link and hands the answer over; refusals too', async () => {
    const renewed: unknown[] = [];
    const refused: string[] = [];
    const { broker, link, log } = await setup({
      renewals: { onRenewed: (m) => renewed.push(m), onRenewalRefused: (code) => refused.push(code) },
    });
    expect(link.requestRenewal('csr')).toBe(false); // not connected yet
    const connection = await broker.connection(0);
    connection.welcome();
    await log.waitFor('connected');
    expect(link.requestRenewal('-----BEGIN CERTIFICATE REQUEST-----')).toBe(true);
    expect(await connection.next('renew')).toEqual({ type: 'renew', csr: '-----BEGIN CERTIFICATE REQUEST-----' });
    connection.send({ type: 'renewed', certificate: 'C', caRoots: ['R'] });
    connection.send({ type: 'error', code: 'RENEWAL_REFUSED', message: 'no' });
    await vi.waitFor(() => expect(refused).toEqual(['RENEWAL_REFUSED']));
    expect(renewed).toEqual([{ type: 'renewed', certificate: 'C', caRoots: ['R'] }]);
  });

  it('redials after a refusal whose body is cut off (the response never ends)', async () => {
    const { link, log, upgraded } = await refusingServer((socket) => {
      socket.write('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 5000\r\n\r\n<html>bad gat');
      setTimeout(() => socket.destroy(), 20);
    });
    expect(await log.waitFor('the broker refused the connection')).toMatchObject({ status: 502, detail: 'HTTP 502' });
    expect(await log.waitFor('disconnected')).toMatchObject({ delayMs: expect.any(Number) });
    await upgraded(3);
    expect(link.connected).toBe(false);
  });

  it('treats a 403 (a proxy or WAF, say) as transient and retries with backoff', async () => {
    let stopped = false;
    const { link, log, upgraded } = await refusingServer((socket) => {
      const body = '{"error":{"code":"FORBIDDEN","message":"blocked by policy"}}';
      socket.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
    void link.done.then(() => (stopped = true));
    expect(await log.waitFor('the broker refused the connection')).toMatchObject({
      status: 403,
      detail: 'FORBIDDEN: blocked by policy',
    });
    await upgraded(3);
    expect(stopped).toBe(false);
    expect(log.messages()).not.toContain('certificate rejected');
  });

  for (const code of [CloseCode.VERSION_UNSUPPORTED, CloseCode.REPLACED, CloseCode.REVOKED]) {
    it(`stops for good when the broker closes with ${code}`, async () => {
      const { broker, link, log } = await setup();
      const connection = await broker.connection(0);
      connection.welcome();
      connection.socket.close(code, 'because');
      expect(await link.done).toMatchObject({
        reason: 'refused by the broker',
        message: expect.stringContaining('because'),
      });
      expect(await log.waitFor('disconnected')).toMatchObject({ code, delayMs: null });
      expect(broker.connections).toHaveLength(1);
    });
  }

  it('drops and redials a link on which nothing is heard for heartbeat_timeout', async () => {
    const { broker, log } = await setup({ heartbeatTimeoutMs: 300 });
    const first = await broker.connection(0);
    first.welcome();
    const started = Date.now();
    await first.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await log.waitFor('heartbeat timeout')).toMatchObject({ silentMs: 300 });
    await (await broker.connection(1)).next('hello');
  });

  it('answers invalid frames with an error and keeps the link', async () => {
    const { broker, log } = await setup();
    const connection = await broker.connection(0);
    connection.welcome();
    await log.waitFor('connected');
    connection.sendRaw('not json');
    expect(await connection.next('error')).toMatchObject({ code: 'BAD_MESSAGE' });
    connection.sendRaw(Buffer.from([9, 9, 9]), true);
    expect(await connection.next('error', (m) => m.code === 'BAD_FRAME')).toBeDefined();
    connection.sendRaw(
      Buffer.from(encodeDataFrame({ type: 'output', channel: 1, offset: 0, payload: new Uint8Array(1) })),
      true,
    );
    expect(await connection.next('error', (m) => m.code === 'UNEXPECTED_MESSAGE')).toBeDefined();
    connection.send({ type: 'resize', channel: 77, cols: 80, rows: 24 });
    expect(await connection.next('error', (m) => m.code === 'UNKNOWN_CHANNEL')).not.toHaveProperty('channel');
    connection.send({
      type: 'open',
      channel: 1,
      sessionId: 'after-garbage',
      operator: 'alice',
      mode: 'exec',
      command: 'true',
      cols: 80,
      rows: 24,
    });
    expect(await connection.next('exit')).toMatchObject({ channel: 1, code: 0 });
  });

  it('clamps a refusal longer than the protocol allows (60 long login users) to a message the broker accepts', async () => {
    const loginUsers = Array.from({ length: 60 }, (_, i) => `a-rather-long-login-user-name-${i}`);
    const { broker } = await setup({ config: { loginUsers } });
    const connection = await broker.connection(0);
    connection.welcome();
    connection.send({
      type: 'open',
      channel: 5,
      sessionId: 'session-refused-1',
      operator: 'alice',
      mode: 'shell',
      loginUser: 'mallory',
      cols: 80,
      rows: 24,
    });
    const refusal = await connection.next('error', (m) => m.channel === 5);
    const decoded = decodeAgentToBroker(JSON.stringify(refusal));
    expect(decoded).toMatchObject({ ok: true, value: { code: 'LOGIN_USER_NOT_ALLOWED', channel: 5 } });
    expect(refusal.message).toHaveLength(1000);
    expect(refusal.message).toMatch(/^this machine allows shells as a-rather-long-login-user-name-0, .*…$/);
  });

  it('runs a session end to end: input frames in, output frames out, exit last', async () => {
    const { broker } = await setup();
    const connection = await broker.connection(0);
    connection.welcome();
    connection.send({
      type: 'open',
      channel: 4,
      sessionId: 'session-e2e-1',
      operator: 'alice',
      mode: 'exec',
      command: 'read x; echo "got $x"',
      cols: 80,
      rows: 24,
    });
    expect(await connection.next('opened')).toMatchObject({ channel: 4, offset: 0 });
    connection.sendRaw(
      Buffer.from(encodeDataFrame({ type: 'input', channel: 4, offset: 0, payload: Buffer.from('hi\r') })),
      true,
    );
    expect(await connection.next('exit')).toMatchObject({ channel: 4, code: 0, offset: 12 });
    expect(connection.output).toBe('hi\r\ngot hi\r\n');
  });
});
