import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, hostname, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLAIN_HTTP_LOOPBACK_ONLY } from '../../common/brokerUrl';
import { DEFAULT_CONFIG } from './config';
import { encodeDataFrame } from '../../common/protocol';
import { spkiPin } from '../../node-common/pki';
import { identityPath } from './identity';
import { AgentError, ensureEnrolled, runAgent, type RunOptions } from './runAgent';
import type { SessionManager } from './sessionManager';
import {
  enrolledAs,
  FAKE_MACHINE_ID,
  FakeBroker,
  otherRoot,
  type FakeAgentConnection,
  type FakeBrokerOptions,
} from './testing/fakeBroker';
import { LogCapture } from './testing/logCapture';
import { AGENT_VERSION } from './version';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<FakeBrokerOptions> = {}) {
  const broker = await FakeBroker.start(options);
  cleanups.push(() => broker.close());
  const stateDir = join(mkdtempSync(join(tmpdir(), 'fleetterm-agent-run-')), 'state');
  cleanups.push(() => rmSync(join(stateDir, '..'), { recursive: true, force: true }));
  return { broker, stateDir };
}

/** Opens an exec session on channel 1 as the broker would, and waits for the agent's `opened`. */
async function openExec(connection: FakeAgentConnection, sessionId: string, command: string): Promise<void> {
  connection.send({
    type: 'open',
    channel: 1,
    sessionId,
    operator: 'alice',
    mode: 'exec',
    command,
    cols: 80,
    rows: 24,
  });
  await connection.next('opened');
}

/** Starts the agent in this process; `stop()` aborts it as SIGTERM would. */
function start(options: Omit<RunOptions, 'config' | 'log'> & { log?: LogCapture }) {
  const log = options.log ?? new LogCapture();
  const controller = new AbortController();
  let sessions: SessionManager | undefined;
  const exitCode = runAgent({
    config: { ...DEFAULT_CONFIG, reconnectMaxDelayMs: 100 },
    ...options,
    log: log.logger,
    stop: controller.signal,
    onStarted: (parts) => (sessions = parts.sessions),
  });
  const stop = () => {
    controller.abort();
    return exitCode;
  };
  cleanups.push(async () => void (await stop().catch(() => 0)));
  return { log, exitCode, stop, sessions: () => sessions };
}

describe('enrolment and the agent’s run', () => {
  it('checks the CA pin, enrols with a key made here, stores key and certificate 0600 in a 0700 directory, then connects', async () => {
    const { broker, stateDir } = await setup();
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    await agent.log.waitFor('enrolled');
    expect(broker.enrolments).toEqual([
      {
        token: 'fte_one-time',
        csr: expect.stringContaining('BEGIN CERTIFICATE REQUEST'),
        hostname: hostname(),
        os: platform(),
        arch: arch(),
        agentVersion: AGENT_VERSION,
      },
    ]);
    const stored = JSON.parse(readFileSync(identityPath(stateDir, 'machine'), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({
      machineId: FAKE_MACHINE_ID,
      name: 'web-1',
      labels: { env: 'test' },
      broker: broker.httpUrl,
      agentUrl: broker.url,
      caPin: broker.caPin,
    });
    for (const file of ['machine', 'key', 'certificate', 'ca'] as const) {
      expect(statSync(identityPath(stateDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const connection = await broker.connection(0);
    // The key the certificate names is the one on disk, and it was never sent.
    const key = readFileSync(identityPath(stateDir, 'key'), 'utf8');
    expect(spkiPin(connection.peerCertificate!)).toBe(spkiPin(key));
    expect(JSON.stringify(broker.enrolments)).not.toContain('PRIVATE KEY');
    connection.welcome();
    await agent.log.waitFor('connected');
    expect(await agent.stop()).toBe(0);
    expect((await connection.closed).code).toBe(1000);
  });

  it('refuses a broker whose CA does not match the pin, sending it nothing', async () => {
    const { broker, stateDir } = await setup();
    const refused = await ensureEnrolled(
      { broker: broker.httpUrl, enrollToken: 'fte_x', caPin: (await otherRoot()).pin, stateDir },
      new LogCapture().logger,
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('enrolment refused: CA_PIN_MISMATCH'),
    });
    expect(broker.enrolments).toEqual([]);
  });

  it('needs a well-formed --ca-pin to enrol', async () => {
    const { broker, stateDir } = await setup();
    const log = new LogCapture().logger;
    await expect(ensureEnrolled({ broker: broker.httpUrl, enrollToken: 'fte_x', stateDir }, log)).rejects.toThrow(
      /--ca-pin is needed to enrol/,
    );
    await expect(
      ensureEnrolled({ broker: broker.httpUrl, enrollToken: 'fte_x', caPin: 'AB:CD', stateDir }, log),
    ).rejects.toThrow(/--ca-pin "AB:CD" is not a pin/);
  });

  it('reuses the stored identity on later runs and says it ignores --enroll-token', async () => {
    const { broker, stateDir } = await setup();
    const first = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    await first.log.waitFor('enrolled');
    await broker.connection(0);
    await first.stop();
    const second = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    expect(await second.log.waitFor((r) => String(r.msg).startsWith('already enrolled'))).toMatchObject({
      machine: 'web-1',
    });
    await broker.connection(1);
    expect(broker.enrolments).toHaveLength(1);
    expect(await second.stop()).toBe(0);
  });

  it('refuses to enrol with the broker’s code and message, exit code 2', async () => {
    const { broker, stateDir } = await setup({
      enroll: async () => ({
        status: 410,
        body: { error: { code: 'ENROLL_TOKEN_USED', message: 'the token was used' } },
      }),
    });
    const refused = await ensureEnrolled(
      { broker: broker.httpUrl, enrollToken: 'fte_x', caPin: broker.caPin, stateDir },
      new LogCapture().logger,
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentError);
    expect(refused).toMatchObject({
      exitCode: 2,
      message: 'enrolment refused: ENROLL_TOKEN_USED: the token was used',
    });
  });

  it('retries enrolment while the broker fails, when running', async () => {
    let calls = 0;
    const { broker, stateDir } = await setup({
      enroll: async (body, fake) =>
        ++calls < 2
          ? { status: 500, body: { error: { code: 'INTERNAL', message: 'restarting' } } }
          : enrolledAs()(body, fake),
    });
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    expect(await agent.log.waitFor('enrolment failed; retrying')).toMatchObject({ code: 'INTERNAL' });
    await agent.log.waitFor('enrolled');
    expect(await agent.stop()).toBe(0);
  });

  it('refuses plain http to a host that is not loopback', async () => {
    const { broker } = await setup();
    const refused = await ensureEnrolled(
      { broker: 'http://broker.example.com:7420', enrollToken: 'fte_x', caPin: broker.caPin, stateDir: '/nonexistent' },
      new LogCapture().logger,
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ message: `--broker: ${PLAIN_HTTP_LOOPBACK_ONLY}` });
  });

  it('asks for an enrolment token and pin when the state directory holds no identity', async () => {
    const { stateDir } = await setup();
    await expect(ensureEnrolled({ broker: 'http://127.0.0.1:1', stateDir }, new LogCapture().logger)).rejects.toThrow(
      /holds no identity yet: enrol with --enroll-token and --ca-pin/,
    );
  });

  it('tells an agent with an old bearer credential to enrol again', async () => {
    const { stateDir } = await setup();
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, 'credential.json'), '{}');
    await expect(ensureEnrolled({ stateDir }, new LogCapture().logger)).rejects.toThrow(
      /credential from an older agent; agents now authenticate with certificates/,
    );
  });

  it('on stop, ends its sessions with AGENT_SHUTDOWN, then closes the link with 1000 and exits 0', async () => {
    const { broker, stateDir } = await setup();
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    const connection = await broker.connection(0);
    connection.welcome();
    await openExec(connection, 'shutdown-1', 'sleep 100');
    expect(await agent.stop()).toBe(0);
    expect(await connection.next('exit')).toMatchObject({ channel: 1, reason: { code: 'AGENT_SHUTDOWN' } });
    expect(await connection.closed).toEqual({ code: 1000, reason: 'agent stopping' });
  });

  it('exits 3 when the broker rejects its certificate', async () => {
    const { broker, stateDir } = await setup({ rejectAll: true });
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    expect(await agent.exitCode).toBe(3);
    expect(await agent.log.waitFor('certificate rejected')).toMatchObject({ status: 401 });
  });

  it('renews its certificate at 2/3 of its lifetime over the open link, keeping the session', async () => {
    const { broker, stateDir } = await setup({ certificateValidityMs: 3000 });
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    const connection = await broker.connection(0);
    connection.welcome();
    await openExec(connection, 'renewal-1', 'read x; echo "got $x"');
    const before = readFileSync(identityPath(stateDir, 'certificate'), 'utf8');
    const { csr } = await connection.next('renew', () => true, 5000);
    connection.send({ type: 'renewed', certificate: await broker.signCsr(csr), caRoots: broker.caRoots });
    await agent.log.waitFor('certificate renewed');
    expect(readFileSync(identityPath(stateDir, 'certificate'), 'utf8')).not.toBe(before);
    // The session is still there on the same link.
    connection.sendRaw(
      Buffer.from(encodeDataFrame({ type: 'input', channel: 1, offset: 0, payload: Buffer.from('hi\r') })),
      true,
    );
    expect(await connection.next('exit')).toMatchObject({ channel: 1, code: 0 });
    // The next connection presents the new certificate, with the key now on disk.
    connection.socket.terminate();
    const next = await broker.connection(1);
    expect(spkiPin(next.peerCertificate!)).toBe(spkiPin(readFileSync(identityPath(stateDir, 'key'), 'utf8')));
    expect(await agent.stop()).toBe(0);
  });

  it('exits 3 with guidance when its certificate ends without a renewal', async () => {
    const { broker, stateDir } = await setup({ certificateValidityMs: 1500 });
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', caPin: broker.caPin, stateDir });
    const connection = await broker.connection(0);
    connection.welcome();
    const { csr } = await connection.next('renew', () => true, 5000);
    expect(csr).toContain('CERTIFICATE REQUEST');
    connection.send({ type: 'error', code: 'RENEWAL_REFUSED', message: 'the machine was revoked' });
    expect(await agent.exitCode).toBe(3);
    expect(await agent.log.waitFor('certificate renewal refused')).toMatchObject({ code: 'RENEWAL_REFUSED' });
    expect(await agent.log.waitFor('stopping')).toMatchObject({ reason: 'certificate expired' });
  });
});
