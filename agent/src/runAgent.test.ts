import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { arch, hostname, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLAIN_HTTP_LOOPBACK_ONLY } from '../../common/brokerUrl';
import { DEFAULT_CONFIG } from './config';
import { credentialPath } from './credential';
import { AgentError, ensureEnrolled, runAgent, type RunOptions } from './runAgent';
import type { SessionManager } from './sessionManager';
import { enrolledAs, FakeBroker, type FakeBrokerOptions } from './testing/fakeBroker';
import { LogCapture } from './testing/logCapture';
import { AGENT_VERSION } from './version';

const CREDENTIAL = 'ftm_run-agent-test';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<FakeBrokerOptions> = {}) {
  const broker = await FakeBroker.start({ credential: CREDENTIAL, ...options });
  cleanups.push(() => broker.close());
  const stateDir = join(mkdtempSync(join(tmpdir(), 'fleetterm-agent-run-')), 'state');
  cleanups.push(() => rmSync(join(stateDir, '..'), { recursive: true, force: true }));
  return { broker, stateDir };
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
  it('enrols once, stores the credential with mode 0600 in a 0700 directory, then connects', async () => {
    const { broker, stateDir } = await setup();
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', stateDir });
    await agent.log.waitFor('enrolled');
    expect(broker.enrolments).toEqual([
      { token: 'fte_one-time', hostname: hostname(), os: platform(), arch: arch(), agentVersion: AGENT_VERSION },
    ]);
    const stored = JSON.parse(readFileSync(credentialPath(stateDir), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({
      machineId: 'm-0001',
      name: 'web-1',
      labels: { env: 'test' },
      credential: CREDENTIAL,
      broker: broker.httpUrl,
    });
    expect(statSync(credentialPath(stateDir)).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const connection = await broker.connection(0);
    connection.welcome();
    await agent.log.waitFor('connected');
    expect(await agent.stop()).toBe(0);
    expect((await connection.closed).code).toBe(1000);
  });

  it('reuses the stored credential on later runs and says it ignores --enroll-token', async () => {
    const { broker, stateDir } = await setup();
    const first = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', stateDir });
    await first.log.waitFor('enrolled');
    await broker.connection(0);
    await first.stop();
    const second = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', stateDir });
    expect(await second.log.waitFor((r) => String(r.msg).startsWith('already enrolled'))).toMatchObject({
      machine: 'web-1',
    });
    await broker.connection(1);
    expect(broker.enrolments).toHaveLength(1);
    expect(await second.stop()).toBe(0);
  });

  it('refuses to enrol with the broker’s code and message, exit code 2', async () => {
    const { broker, stateDir } = await setup({
      enroll: () => ({ status: 410, body: { error: { code: 'ENROLL_TOKEN_USED', message: 'the token was used' } } }),
    });
    const refused = await ensureEnrolled(
      { broker: broker.httpUrl, enrollToken: 'fte_x', stateDir },
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
      enroll: () =>
        ++calls < 2
          ? { status: 500, body: { error: { code: 'INTERNAL', message: 'restarting' } } }
          : enrolledAs(CREDENTIAL)(),
    });
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', stateDir });
    expect(await agent.log.waitFor('enrolment failed; retrying')).toMatchObject({ code: 'INTERNAL' });
    await agent.log.waitFor('enrolled');
    expect(await agent.stop()).toBe(0);
  });

  it('refuses plain http to a host that is not loopback', async () => {
    const refused = await ensureEnrolled(
      { broker: 'http://broker.example.com:7420', enrollToken: 'fte_x', stateDir: '/nonexistent' },
      new LogCapture().logger,
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ message: `--broker: ${PLAIN_HTTP_LOOPBACK_ONLY}` });
  });

  it('asks for an enrolment token when the state directory holds no credential', async () => {
    const { stateDir } = await setup();
    await expect(ensureEnrolled({ broker: 'http://127.0.0.1:1', stateDir }, new LogCapture().logger)).rejects.toThrow(
      /holds no credential yet: enrol with --enroll-token/,
    );
  });

  it('on stop, ends its sessions with AGENT_SHUTDOWN, then closes the link with 1000 and exits 0', async () => {
    const { broker, stateDir } = await setup();
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', stateDir });
    const connection = await broker.connection(0);
    connection.welcome();
    connection.send({
      type: 'open',
      channel: 1,
      sessionId: 'shutdown-1',
      operator: 'alice',
      mode: 'exec',
      command: 'sleep 100',
      cols: 80,
      rows: 24,
    });
    await connection.next('opened');
    expect(await agent.stop()).toBe(0);
    expect(await connection.next('exit')).toMatchObject({ channel: 1, reason: { code: 'AGENT_SHUTDOWN' } });
    expect(await connection.closed).toEqual({ code: 1000, reason: 'agent stopping' });
  });

  it('exits 3 when the broker rejects its credential', async () => {
    const { broker, stateDir } = await setup({ rejectAll: true });
    const agent = start({ broker: broker.httpUrl, enrollToken: 'fte_one-time', stateDir });
    expect(await agent.exitCode).toBe(3);
    expect(await agent.log.waitFor('credential rejected')).toMatchObject({ status: 401 });
  });
});
