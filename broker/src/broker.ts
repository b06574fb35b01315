import { constants as cryptoConstants } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  HELLO_TIMEOUT_MS,
  MAX_CONSOLE_BUFFERED_BYTES,
} from '../../common/protocol';
import { AuditLog } from './audit/auditLog';
import { Accounts } from './auth/accounts';
import { OperatorAuth } from './auth/operatorAuth';
import { TerminalAccess } from './auth/terminal/terminalAccess';
import { SecretBox } from './auth/totp/secretBox';
import { TotpService } from './auth/totp/totpService';
import { TotpFlows } from './auth/totpFlows';
import { AccountSettings } from './auth/accountSettings';
import { LoopbackAuthorization } from './auth/cliLogin/loopbackAuthorization';
import { parseRelyingParty, type RelyingParty } from './auth/passkeys/relyingParty';
import { PasskeyService } from './auth/passkeys/passkeyService';
import { issueInvitation, registrationLink } from './auth/users/invitations';
import { AUTH_BURST, AUTH_REFILL_MS } from './http/accountEndpoints';
import { requireOperator } from './http/apiHandler';
import { RateLimiter } from './http/rateLimiter';
import { createWebConsole } from './http/webConsole';
import { SigninSessions } from './auth/signin/signinSessions';
import { CheckpointKey } from './audit/checkpointKey';
import { createApiHandler } from './http/apiHandler';
import { HttpError, sendError } from './http/httpError';
import { parseAllowedOrigins } from './http/originCheck';
import { withCors } from './http/cors';
import { AGENT_PATH, createUpgradeHandler } from './http/upgradeHandler';
import { DEFAULT_AGENT_PORT, formatHost, formatHttpUrl, isLoopbackHost, urlHost } from './listenAddress';
import { silentLogger, type Logger } from '../../node-common/logger';
import { Relay } from './relay/relay';
import { DEFAULT_BROADCAST_STEP_UP, type BroadcastStepUpRule } from './relay/broadcastStepUp';
import { openSqliteStore } from './store/openSqliteStore';
import { ExternalChangeWatch } from './store/externalChangeWatch';
import type { Store } from './store/store';
import { BrokerTls } from './tls/brokerTls';

export interface BrokerOptions {
  /** The data directory: database, CA and audit key. */
  dataDir: string;
  /** Use this store instead of opening `<dataDir>/fleetterm.db` (the broker then leaves closing it to the caller). */
  store?: Store;
  /** The console listener (API, web console, `/ws/console`); default 127.0.0.1:7420, port 0 = free port. */
  host?: string;
  port?: number;
  /** The agent listener (`/ws/agent`, mutual TLS); default the console host, port 7421. */
  agentHost?: string;
  agentPort?: number;
  /**
   * Serve the console listener over plain HTTP (development only, loopback
   * only, logged loudly). The agent listener keeps mutual TLS regardless.
   */
  devInsecureHttp?: boolean;
  /** Names for the broker's server certificate besides localhost, 127.0.0.1 and ::1. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** An operator's own certificate chain and key (PEM files) for the console listener. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** The agent listener URL handed to enrolling agents; default: the host they enrolled through, agentPort. */
  agentUrl?: string;
  /** Origins besides the broker's own that may open console links (see http/originCheck.ts). */
  allowedOrigins?: string[];
  /** Which broadcasts need a fresh step-up; default more than 10 sessions, or any env=prod machine. */
  broadcastStepUp?: BroadcastStepUpRule;
  /** How recent a passkey check must be to open a terminal; default 5 minutes. */
  stepUpWindowMs?: number;
  /** The web console's files (the renderer build, `out/renderer`); without it only the API is served. */
  webRoot?: string;
  /** The passkey RP ID; default the first DNS name, else `localhost`. Never an IP address. */
  passkeyRpId?: string;
  /** The origins whose pages run passkey ceremonies; default the RP ID on the console listener's port. */
  passkeyOrigins?: string[];
  /** Lifetime of agent certificates; default 7 days (tests shorten it to see renewals). */
  agentCertValidityMs?: number;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Defaults from common/protocol; tests shorten them. */
  helloTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  maxConsoleBufferedBytes?: number;
  /** Default 8 MiB; see RelayOptions.maxAgentBufferedBytes. */
  maxAgentBufferedBytes?: number;
  /** Default 30 s; see RelayOptions.agentReplyTimeoutMs. */
  agentReplyTimeoutMs?: number;
  /** Default 5 s; see RelayOptions.tokenRecheckIntervalMs. */
  tokenRecheckIntervalMs?: number;
  /** Clock for stored times, token expiry and certificates (ms since the epoch). */
  now?: () => number;
  /** Audit entries between signed checkpoints; default DEFAULT_CHECKPOINT_EVERY. */
  auditCheckpointEvery?: number;
}

export interface Broker {
  /** Console listener base URL with the real port, e.g. `https://127.0.0.1:7420`. */
  readonly url: string;
  readonly port: number;
  /** Agent listener endpoint with the real port, e.g. `wss://127.0.0.1:7421/ws/agent`. */
  readonly agentUrl: string;
  readonly agentPort: number;
  readonly store: Store;
  readonly tls: BrokerTls;
  /** Closes every link with 1001, stops listening, closes the store it opened. Idempotent. */
  close(): Promise<void>;
}

/** Plain HTTP beyond loopback: refused before anything listens (the CLI exits with 2). */
export class InsecureListenError extends Error {
  constructor(readonly host: string) {
    super(
      `refusing to serve plain HTTP on ${host}: --dev-insecure-http is for loopback only; ` +
        'drop it to serve HTTPS (the default)',
    );
  }
}

/** Unsent input the broker queues on an agent link before it closes the console that sends more. */
const DEFAULT_MAX_AGENT_BUFFERED_BYTES = 8 * 1024 * 1024;

/** How long the agent may take to answer an `open` or `attach`. */
const DEFAULT_AGENT_REPLY_TIMEOUT_MS = 30_000;

/** A revoked token's links close within this; one indexed lookup per console link per sweep. */
const DEFAULT_TOKEN_RECHECK_INTERVAL_MS = 5000;

/** Revocations and CA changes made by the CLI take effect within this (the issue asks for under a second). */
const EXTERNAL_CHANGE_POLL_MS = 250;

/** The server certificate is checked this often and reissued 30 days before it expires. */
const SERVER_CERT_CHECK_MS = 12 * 60 * 60 * 1000;

/** Links get this long to finish their closing handshake at shutdown before their sockets are destroyed. */
const SHUTDOWN_GRACE_MS = 1_000;

function listen(server: Server, host: string, port: number, flag: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`${where} is already in use; stop the other process or choose another ${flag}`));
      } else if (error.code === 'EADDRNOTAVAIL') {
        reject(new Error(`${host} is not an address of this machine; choose another ${flag}`));
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * The WebAuthn relying party: the first DNS name of the server certificate
 * (or `localhost`), on the console listener's scheme and port, unless set.
 * An IP address is refused: WebAuthn does not work on one.
 */
function relyingPartyFor(options: BrokerOptions, port: number, secure: boolean): RelyingParty {
  const rpId = options.passkeyRpId ?? options.dnsNames?.[0] ?? 'localhost';
  const defaultPort = secure ? 443 : 80;
  const origins = options.passkeyOrigins ?? [
    `${secure ? 'https' : 'http'}://${rpId}${port === defaultPort ? '' : `:${port}`}`,
  ];
  const parsed = parseRelyingParty({ rpId, origins });
  if (!parsed.ok) throw new Error(`passkeys: ${parsed.error.message}`);
  return parsed.value;
}

/** Plain requests on the agent listener: it serves WebSocket links only. */
function agentListenerRequest(_req: IncomingMessage, res: ServerResponse): void {
  sendError(res, new HttpError(404, 'NOT_FOUND', `the agent listener serves only ${AGENT_PATH} WebSocket links`));
}

/** The host part of a request's Host header (brackets kept for IPv6), for URLs handed back to the requester. */
function requestHost(req: IncomingMessage, fallback: string): string {
  const header = req.headers.host ?? '';
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/.exec(header);
  return match?.[1] ?? fallback;
}

/**
 * Starts a broker: the console listener (JSON API and `/ws/console`, HTTPS
 * unless devInsecureHttp) and the agent listener (`/ws/agent`, mutual TLS
 * with client certificates from the broker's CA). No side effects until called.
 */
export async function createBroker(options: BrokerOptions): Promise<Broker> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 7420;
  const agentHost = options.agentHost ?? host;
  const agentPort = options.agentPort ?? DEFAULT_AGENT_PORT;
  const insecure = options.devInsecureHttp === true;
  if (insecure && !isLoopbackHost(host)) throw new InsecureListenError(host);
  const log = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  const tls = await BrokerTls.load({
    dataDir: options.dataDir,
    dnsNames: options.dnsNames,
    ipAddresses: options.ipAddresses,
    consoleCertFile: options.tlsCertFile,
    consoleKeyFile: options.tlsKeyFile,
    now,
  });
  const ownsStore = !options.store;
  const store = options.store ?? openSqliteStore(options.dataDir);
  const servers: Server[] = [];

  try {
    // Whatever the last run left behind, no agent is connected before it says hello again.
    store.markAllMachinesOffline(now());
    const audit = new AuditLog({
      store,
      log,
      now,
      checkpointKey: CheckpointKey.loadOrCreate(options.dataDir),
      checkpointEvery: options.auditCheckpointEvery,
    });
    const signins = new SigninSessions({ sessions: store.signinSessions, users: store.users });
    const operators = new OperatorAuth(store, signins);
    const terminalAccess = new TerminalAccess({
      store,
      signins,
      audit,
      now,
      stepUpWindowMs: options.stepUpWindowMs,
    });
    const broadcastStepUp = options.broadcastStepUp ?? DEFAULT_BROADCAST_STEP_UP;
    const relay = new Relay({
      store,
      log,
      now,
      audit,
      tls,
      operators,
      terminalAccess,
      broadcastStepUp,
      agentCertValidityMs: options.agentCertValidityMs,
      helloTimeoutMs: options.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
      maxConsoleBufferedBytes: options.maxConsoleBufferedBytes ?? MAX_CONSOLE_BUFFERED_BYTES,
      maxAgentBufferedBytes: options.maxAgentBufferedBytes ?? DEFAULT_MAX_AGENT_BUFFERED_BYTES,
      agentReplyTimeoutMs: options.agentReplyTimeoutMs ?? DEFAULT_AGENT_REPLY_TIMEOUT_MS,
      tokenRecheckIntervalMs: options.tokenRecheckIntervalMs ?? DEFAULT_TOKEN_RECHECK_INTERVAL_MS,
    });
    const allowedOrigins = parseAllowedOrigins(options.allowedOrigins ?? []);
    const { wss, onUpgrade } = createUpgradeHandler({
      store,
      relay,
      log,
      now,
      audit,
      operators,
      consoleSecure: !insecure,
      allowedOrigins,
    });

    // No session tickets: agents never resume a TLS session (each link is a fresh handshake),
    // and the tickets sent after every handshake cost ~20 KB per idle link (docs/BENCHMARKS.md).
    const agentServer = createHttpsServer(
      {
        ...tls.agentContext(),
        requestCert: true,
        rejectUnauthorized: true,
        secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
      },
      agentListenerRequest,
    );
    servers.push(agentServer);
    agentServer.on('upgrade', onUpgrade('agent'));
    agentServer.on('tlsClientError', (error: Error & { code?: string }, socket) =>
      log.info({ err: error.message, code: error.code, remote: socket.remoteAddress }, 'agent TLS handshake refused'),
    );
    const agentAddress = await listen(agentServer, agentHost, agentPort, '--agent-listen');
    const agentUrl = `wss://${formatHost(agentAddress.address, agentAddress.port)}${AGENT_PATH}`;

    // The passkey origins name the listener's real port, known once it listens: until then nothing is served.
    let api: RequestListener = (_req, res) => sendError(res, new HttpError(503, 'INTERNAL', 'the broker is starting'));
    const serveApi = withCors({ secure: !insecure, allowedOrigins }, (req, res) => api(req, res));
    const consoleServer = insecure ? createServer(serveApi) : createHttpsServer(tls.consoleContext(), serveApi);
    servers.push(consoleServer);
    consoleServer.on('upgrade', onUpgrade('console'));
    const address = await listen(consoleServer, host, port, '--listen');
    const url = formatHttpUrl(address.address, address.port, !insecure);
    if (insecure) {
      log.warn(
        { url, flag: '--dev-insecure-http' },
        'DEVELOPMENT MODE: the console listener serves plain HTTP on loopback; never use this on a shared machine',
      );
    }
    const rp = relyingPartyFor(options, address.port, !insecure);
    const passkeys = new PasskeyService({
      rp,
      store: store.passkeys,
      hasOtherFactor: (userId) => store.totp.getTotp(userId)?.confirmedAt != null,
    });
    const accounts = new Accounts({ store, passkeys, signins, audit, now });
    const totp = new TotpService(store.totp, SecretBox.loadOrCreate(options.dataDir));
    const consoleUrl = rp.origins[0] ?? url;
    api = createApiHandler({
      store,
      consoleUrl,
      webConsole: createWebConsole(options.webRoot),
      log,
      now,
      audit,
      tls,
      accounts,
      terminalAccess,
      broadcastStepUp,
      totpFlows: new TotpFlows({
        store,
        totp,
        signins,
        audit,
        now,
        stepUpWindowMs: terminalAccess.stepUpWindowMs,
      }),
      loopbackAuthorization: new LoopbackAuthorization({
        users: store.users,
        signins,
        audit,
        now,
        stepUpWindowMs: terminalAccess.stepUpWindowMs,
      }),
      accountSettings: new AccountSettings({
        store,
        passkeys,
        totp,
        audit,
        now,
        stepUpWindowMs: terminalAccess.stepUpWindowMs,
      }),
      authLimiter: new RateLimiter(AUTH_BURST, AUTH_REFILL_MS),
      requireOperator: (req) => requireOperator(operators, req, now()),
      agentCertValidityMs: options.agentCertValidityMs,
      agentUrl: (req) =>
        options.agentUrl ??
        `wss://${requestHost(req, urlHost(agentAddress.address))}:${agentAddress.port}${AGENT_PATH}`,
    });
    if (store.users.countUsers() === 0) {
      const invitation = issueInvitation(store, { role: 'admin', name: null, createdBy: null, now: now() });
      log.warn(
        {
          link: registrationLink(consoleUrl, invitation.secret),
          expiresAt: new Date(invitation.expiresAt).toISOString(),
        },
        'no users yet: register the first admin with this one-time link',
      );
    }

    const applyTls = () => {
      if (!insecure && !tls.ownConsoleCertificate)
        (consoleServer as HttpsServer).setSecureContext(tls.consoleContext());
      agentServer.setSecureContext(tls.agentContext());
    };
    const refreshTls = () =>
      void tls.refresh().then(
        (changed) => {
          if (!changed) return;
          applyTls();
          log.info({ roots: tls.trustedRoots().map((root) => root.pin) }, 'TLS certificates reloaded');
        },
        (error: unknown) => log.error({ err: String(error) }, 'cannot reload the CA; keeping the current certificates'),
      );
    const changes = new ExternalChangeWatch(store, log, EXTERNAL_CHANGE_POLL_MS);
    changes.onChange(() => relay.recheckAccess());
    changes.onChange(refreshTls);
    const serverCertCheck = setInterval(refreshTls, SERVER_CERT_CHECK_MS);
    serverCertCheck.unref();
    log.info(
      {
        url,
        consoleUrl,
        agentUrl,
        port: address.port,
        agentPort: agentAddress.port,
        dataDir: options.dataDir,
        caPin: tls.ca.caPin(),
        passkeyRpId: rp.rpId,
      },
      'listening',
    );

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        changes.close();
        clearInterval(serverCertCheck);
        relay.close();
        await Promise.all(servers.map((server) => closeServer(server, wss)));
        wss.close();
        audit.close();
        if (ownsStore) store.close();
        log.info('stopped');
      })();
      return closing;
    };
    return { url, port: address.port, agentUrl, agentPort: agentAddress.port, store, tls, close };
  } catch (error) {
    for (const server of servers) server.close();
    if (ownsStore) store.close();
    throw error;
  }
}

/** Stops listening; links get SHUTDOWN_GRACE_MS to finish their closing handshake, then are cut. */
function closeServer(server: Server, wss: WebSocketServer): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
