import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  HELLO_TIMEOUT_MS,
  MAX_CONSOLE_BUFFERED_BYTES,
} from '../../common/protocol';
import { AuditLog } from './audit/auditLog';
import { CheckpointKey } from './audit/checkpointKey';
import { createApiHandler } from './http/apiHandler';
import { createUpgradeHandler } from './http/upgradeHandler';
import { formatHttpUrl, isLoopbackHost, PLAIN_HTTP_LOOPBACK_ONLY } from './listenAddress';
import { silentLogger, type Logger } from '../../node-common/logger';
import { Relay } from './relay/relay';
import { openSqliteStore } from './store/openSqliteStore';
import type { Store } from './store/store';

export interface BrokerOptions {
  /** The data directory; the database is `<dataDir>/fleetterm.db`. Required unless `store` is given. */
  dataDir?: string;
  /** Use this store instead of opening one (the broker then leaves closing it to the caller). */
  store?: Store;
  /** Default 127.0.0.1. Only loopback until TLS arrives. */
  host?: string;
  /** Default 7420; 0 picks a free port (see Broker.port). */
  port?: number;
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
  /** Clock for stored times and token expiry (ms since the epoch). */
  now?: () => number;
  /** Audit entries between signed checkpoints; default DEFAULT_CHECKPOINT_EVERY. */
  auditCheckpointEvery?: number;
}

export interface Broker {
  /** HTTP base URL with the real port, e.g. `http://127.0.0.1:7420`. */
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  /** Closes every link with 1001, stops listening, closes the store it opened. Idempotent. */
  close(): Promise<void>;
}

/** A non-loopback listener without TLS: refused before anything listens (the CLI exits with 2). */
export class InsecureListenError extends Error {
  constructor(readonly host: string) {
    super(`refusing to listen on ${host}: ${PLAIN_HTTP_LOOPBACK_ONLY}`);
  }
}

/** Unsent input the broker queues on an agent link before it closes the console that sends more. */
const DEFAULT_MAX_AGENT_BUFFERED_BYTES = 8 * 1024 * 1024;

/** How long the agent may take to answer an `open` or `attach`. */
const DEFAULT_AGENT_REPLY_TIMEOUT_MS = 30_000;

/** A revoked token's links close within this; one indexed lookup per console link per sweep. */
const DEFAULT_TOKEN_RECHECK_INTERVAL_MS = 5000;

/** Links get this long to finish their closing handshake at shutdown before their sockets are destroyed. */
const SHUTDOWN_GRACE_MS = 1_000;

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`${where} is already in use; stop the other process or choose another --listen`));
      } else if (error.code === 'EADDRNOTAVAIL') {
        reject(new Error(`${host} is not an address of this machine; choose another --listen`));
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
 * Starts a broker: one HTTP server with the JSON API and the WebSocket
 * endpoints `/ws/agent` and `/ws/console`. No side effects until called.
 */
export async function createBroker(options: BrokerOptions): Promise<Broker> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 7420;
  if (!isLoopbackHost(host)) throw new InsecureListenError(host);
  const log = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  const ownsStore = !options.store;
  const store = options.store ?? openSqliteStore(requireDataDir(options.dataDir));

  try {
    // Whatever the last run left behind, no agent is connected before it says hello again.
    store.markAllMachinesOffline(now());
    const audit = new AuditLog({
      store,
      log,
      now,
      checkpointKey: options.dataDir ? CheckpointKey.loadOrCreate(options.dataDir) : undefined,
      checkpointEvery: options.auditCheckpointEvery,
    });
    const relay = new Relay({
      store,
      log,
      now,
      audit,
      helloTimeoutMs: options.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
      maxConsoleBufferedBytes: options.maxConsoleBufferedBytes ?? MAX_CONSOLE_BUFFERED_BYTES,
      maxAgentBufferedBytes: options.maxAgentBufferedBytes ?? DEFAULT_MAX_AGENT_BUFFERED_BYTES,
      agentReplyTimeoutMs: options.agentReplyTimeoutMs ?? DEFAULT_AGENT_REPLY_TIMEOUT_MS,
      tokenRecheckIntervalMs: options.tokenRecheckIntervalMs ?? DEFAULT_TOKEN_RECHECK_INTERVAL_MS,
    });
    const server = createServer(createApiHandler({ store, log, now, audit }));
    const { wss, onUpgrade } = createUpgradeHandler({ store, relay, log, now, audit });
    server.on('upgrade', onUpgrade);
    const address = await listen(server, host, port);
    const url = formatHttpUrl(address.address, address.port);
    log.info({ url, port: address.port, dataDir: options.dataDir }, 'listening');

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        relay.close();
        await new Promise<void>((resolve) => {
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
        wss.close();
        audit.close();
        if (ownsStore) store.close();
        log.info('stopped');
      })();
      return closing;
    };
    return { url, port: address.port, store, close };
  } catch (error) {
    if (ownsStore) store.close();
    throw error;
  }
}

function requireDataDir(dataDir: string | undefined): string {
  if (!dataDir) throw new Error('createBroker needs either dataDir or store');
  return dataDir;
}
