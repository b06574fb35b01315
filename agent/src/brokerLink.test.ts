import { arch, hostname, platform } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, encodeDataFrame, PROTOCOL_VERSION } from '../../common/protocol';
import { BrokerLink } from './brokerLink';
import { DEFAULT_CONFIG } from './config';
import { SessionManager } from './sessionManager';
import { FakeBroker } from './testing/fakeBroker';
import { LogCapture } from './testing/logCapture';
import { AGENT_SOFTWARE } from './version';

const CREDENTIAL = 'ftm_test-credential';
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { rejectAll?: boolean; heartbeatTimeoutMs?: number } = {}) {
  const broker = await FakeBroker.start({ credential: CREDENTIAL, rejectAll: options.rejectAll });
  cleanups.push(() => broker.close());
  const log = new LogCapture();
  const sessions = new SessionManager({ config: DEFAULT_CONFIG, machineName: 'web-1', log: log.logger });
  cleanups.push(() => sessions.shutdown(2000));
  const link = new BrokerLink({
    url: broker.url,
    credential: CREDENTIAL,
    sessions,
    log: log.logger,
    reconnectMaxDelayMs: 50,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 45_000,
  });
  cleanups.push(() => link.stop());
  link.start();
  return { broker, link, log, sessions };
}

describe('BrokerLink', () => {
  it('says hello with its credential and machine, and logs "connected" after the welcome', async () => {
    const { broker, log, link } = await setup();
    const connection = await broker.connection(0);
    expect(connection.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
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

  it('stops for good when the broker rejects the credential (401)', async () => {
    const { broker, link, log } = await setup({ rejectAll: true });
    expect(await link.done).toEqual({
      reason: 'credential rejected',
      message: "the broker rejected this machine's credential: UNAUTHORIZED: the machine credential is not valid",
    });
    expect(await log.waitFor('disconnected')).toMatchObject({ delayMs: null });
    expect(broker.upgrades).toBe(1);
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
