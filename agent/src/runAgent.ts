import type { Logger } from 'pino';
import { Backoff } from '../../common/backoff';
import { parseBrokerUrl } from '../../common/brokerUrl';
import { BrokerLink, type LinkStop } from './brokerLink';
import { describeConfig, type AgentConfig } from './config';
import { readCredential, writeCredential, type Credential } from './credential';
import { enrol, type EnrolRefusal } from './enrol';
import { SessionManager } from './sessionManager';

/** A failure to report to the operator, with the process exit code. */
export class AgentError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit codes: 1 bad usage or state, 2 enrolment refused, 3 the broker refused the link for good. */
export const EXIT_ENROL_REFUSED = 2;
export const EXIT_LINK_REFUSED = 3;

export interface EnrolOptions {
  broker?: string;
  enrollToken?: string;
  stateDir: string;
  /** Keep trying while the broker cannot be reached (`run`), instead of failing at once (`enroll`). */
  retryUnreachable?: boolean;
  /** Aborts the retries (a signal arrived). */
  signal?: AbortSignal;
}

/** Failures that a later attempt may not meet: the broker is down, busy or restarting. */
function isTransient(refusal: EnrolRefusal): boolean {
  return refusal.code === 'UNREACHABLE' || refusal.code === 'INTERNAL' || refusal.code === 'RATE_LIMITED';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The machine's credential: the stored one, or a new one from enrolment
 * when the state directory has none yet.
 */
export async function ensureEnrolled(options: EnrolOptions, log: Logger): Promise<Credential> {
  const stored = await readCredential(options.stateDir);
  if (!stored.ok) throw new AgentError(stored.error);
  if (stored.value) {
    if (options.enrollToken) {
      log.info(
        { machine: stored.value.name, state: options.stateDir },
        'already enrolled; ignoring --enroll-token (remove credential.json from the state directory to enrol again)',
      );
    }
    return stored.value;
  }
  if (!options.enrollToken) {
    throw new AgentError(
      `${options.stateDir} holds no credential yet: enrol with --enroll-token (an admin creates one with \`fleetterm-broker enroll-token create --name NAME\`)`,
    );
  }
  if (!options.broker) throw new AgentError('--broker URL is needed to enrol');
  const endpoints = parseBrokerUrl(options.broker, '/ws/agent');
  if (!endpoints.ok) throw new AgentError(`--broker: ${endpoints.error}`);

  const backoff = new Backoff();
  for (;;) {
    const enrolled = await enrol(endpoints.value.httpBase, options.enrollToken);
    if (enrolled.ok) {
      await writeCredential(options.stateDir, enrolled.value);
      const { name, machineId, labels } = enrolled.value;
      log.info({ machine: name, machineId, labels, state: options.stateDir }, 'enrolled');
      return enrolled.value;
    }
    const refusal = enrolled.error;
    if (!options.retryUnreachable || !isTransient(refusal) || options.signal?.aborted) {
      throw new AgentError(`enrolment refused: ${refusal.code}: ${refusal.message}`, EXIT_ENROL_REFUSED);
    }
    const delayMs = backoff.next();
    log.warn({ code: refusal.code, detail: refusal.message, delayMs }, 'enrolment failed; retrying');
    await sleep(delayMs, options.signal);
    if (options.signal?.aborted) throw new AgentError('stopped before enrolment completed');
  }
}

export interface RunOptions extends EnrolOptions {
  config: AgentConfig;
  log: Logger;
  /** Stops the agent; without it SIGINT and SIGTERM do. */
  stop?: AbortSignal;
  /** Called once connected parts exist, for tests that drive them. */
  onStarted?: (parts: { sessions: SessionManager; link: BrokerLink }) => void;
}

/** Aborts on the first SIGINT or SIGTERM; the disposer removes the handlers. */
function signalStop(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

/**
 * Enrols if needed, then keeps the link to the broker until stopped (a
 * signal: every session ends with AGENT_SHUTDOWN, the link closes with
 * 1000, exit 0) or refused for good (exit 3). Resolves with the exit code.
 */
export async function runAgent(options: RunOptions): Promise<number> {
  const { log, config } = options;
  const signals = options.stop ? undefined : signalStop();
  const stop = options.stop ?? signals!.signal;
  try {
    const credential = await ensureEnrolled({ ...options, retryUnreachable: true, signal: stop }, log);
    const endpoints = parseBrokerUrl(options.broker ?? credential.broker, '/ws/agent');
    if (!endpoints.ok) throw new AgentError(`--broker: ${endpoints.error}`);

    const sessions = new SessionManager({ config, machineName: credential.name, log });
    const link = new BrokerLink({
      url: endpoints.value.wsUrl,
      credential: credential.credential,
      sessions,
      log,
      reconnectMaxDelayMs: config.reconnectMaxDelayMs,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    });
    log.info(
      { machine: credential.name, broker: endpoints.value.httpBase, limits: describeConfig(config) },
      'starting',
    );
    link.start();
    options.onStarted?.({ sessions, link });

    const stopped = new Promise<LinkStop>((resolve) => {
      const onAbort = () => resolve({ reason: 'stopped', message: 'asked to stop' });
      if (stop.aborted) onAbort();
      else stop.addEventListener('abort', onAbort, { once: true });
    });
    const end = await Promise.race([link.done, stopped]);
    log.info({ reason: end.reason, detail: end.message }, 'stopping');
    await sessions.shutdown();
    await link.stop();
    log.info('stopped');
    if (end.reason === 'stopped') return 0;
    process.stderr.write(`fleetterm-agent: ${end.message}\n`);
    return EXIT_LINK_REFUSED;
  } finally {
    signals?.dispose();
  }
}
