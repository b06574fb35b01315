import type { Logger } from 'pino';
import { Backoff } from '../../common/backoff';
import { parseBrokerUrl } from '../../common/brokerUrl';
import { isSpkiPin } from '../../node-common/pki/pem';
import { BrokerLink, type LinkStop } from './brokerLink';
import { CertificateRenewal } from './certificateRenewal';
import { describeConfig, type AgentConfig } from './config';
import type { EnrolRefusal } from './enrol';
import { certificatePeriod, readIdentity, writeIdentity, type AgentIdentity } from './identity';
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
  /** The broker CA's pin, from `enroll-token create`; required to enrol. */
  caPin?: string;
  /** The machine name the token was made for; the broker refuses another. */
  name?: string;
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
 * The machine's identity: the stored one, or a new one from enrolment
 * when the state directory has none yet.
 */
export async function ensureEnrolled(options: EnrolOptions, log: Logger): Promise<AgentIdentity> {
  const stored = await readIdentity(options.stateDir);
  if (!stored.ok) throw new AgentError(stored.error);
  if (stored.value) {
    if (options.enrollToken) {
      log.info(
        { machine: stored.value.machine.name, state: options.stateDir },
        'already enrolled; ignoring --enroll-token (move the state directory away to enrol again)',
      );
    }
    return stored.value;
  }
  if (!options.enrollToken) {
    throw new AgentError(
      `${options.stateDir} holds no identity yet: enrol with --enroll-token and --ca-pin (an admin prints both with ` +
        '`fleetterm-broker enroll-token create --name NAME`)',
    );
  }
  if (!options.broker) throw new AgentError('--broker URL is needed to enrol');
  if (!options.caPin) {
    throw new AgentError(
      '--ca-pin is needed to enrol: it is how the agent knows the broker is the real one (enroll-token create prints it)',
    );
  }
  if (!isSpkiPin(options.caPin)) {
    throw new AgentError(`--ca-pin "${options.caPin}" is not a pin; it looks like sha256/ and 44 base64 characters`);
  }
  const endpoints = parseBrokerUrl(options.broker, '/ws/agent');
  if (!endpoints.ok) throw new AgentError(`--broker: ${endpoints.error}`);

  // Enrolment code (X.509, CSRs, the trust helpers) loads only here: an agent started enrolled does not hold it.
  const { enrol } = await import('./enrol');
  const backoff = new Backoff();
  for (;;) {
    const enrolled = await enrol({
      httpBase: endpoints.value.httpBase,
      token: options.enrollToken,
      caPin: options.caPin,
      name: options.name,
    });
    if (enrolled.ok) {
      await writeIdentity(options.stateDir, enrolled.value);
      const { name, machineId, labels, agentUrl } = enrolled.value.machine;
      log.info({ machine: name, machineId, labels, agentUrl, state: options.stateDir }, 'enrolled');
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
  /** Connect here instead of the agent listener enrolment named (a proxy, say). */
  agentUrl?: string;
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
    const identity = await ensureEnrolled({ ...options, retryUnreachable: true, signal: stop }, log);
    const { machine } = identity;
    const agentUrl = parseBrokerUrl(options.agentUrl ?? machine.agentUrl, '/ws/agent');
    if (!agentUrl.ok || !agentUrl.value.wsUrl.startsWith('wss://')) {
      throw new AgentError(`--agent-url "${options.agentUrl}" must be the broker's agent listener, wss://HOST:PORT`);
    }

    const sessions = new SessionManager({ config, machineName: machine.name, log });
    const renewal: CertificateRenewal = new CertificateRenewal({
      stateDir: options.stateDir,
      identity,
      link: { requestRenewal: (csr): boolean => link.requestRenewal(csr) },
      log,
      onExpired: (message) => link.fail({ reason: 'certificate expired', message }),
    });
    const link: BrokerLink = new BrokerLink({
      url: agentUrl.value.wsUrl,
      tls: () => ({
        cert: renewal.identity.certificatePem,
        key: renewal.identity.keyPem,
        ca: renewal.identity.caRoots,
      }),
      onConnected: () => renewal.onConnected(),
      onRenewed: (renewed) => void renewal.onRenewed(renewed),
      onRenewalRefused: (code, message) => renewal.onRefused(code, message),
      sessions,
      log,
      reconnectMaxDelayMs: config.reconnectMaxDelayMs,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
    });
    log.info(
      {
        machine: machine.name,
        agentUrl: agentUrl.value.wsUrl,
        certificateExpires: new Date(certificatePeriod(identity).notAfter).toISOString(),
        limits: describeConfig(config),
      },
      'starting',
    );
    renewal.start();
    link.start();
    options.onStarted?.({ sessions, link });

    const stopped = new Promise<LinkStop>((resolve) => {
      const onAbort = () => resolve({ reason: 'stopped', message: 'asked to stop' });
      if (stop.aborted) onAbort();
      else stop.addEventListener('abort', onAbort, { once: true });
    });
    const end = await Promise.race([link.done, stopped]);
    log.info({ reason: end.reason, detail: end.message }, 'stopping');
    renewal.stop();
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
