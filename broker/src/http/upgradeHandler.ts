import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../../../common/protocol';
import type { AuditLog } from '../audit/auditLog';
import type { TLSSocket } from 'node:tls';
import { authenticateMachineCertificate } from '../auth/authenticate';
import type { OperatorAuth } from '../auth/operatorAuth';
import type { Logger } from '../../../node-common/logger';
import type { Relay } from '../relay/relay';
import type { Store } from '../store/store';
import { consoleAuthorization, selectConsoleProtocol } from './browserConsoleAuth';
import { HttpError } from './httpError';
import { originAllowed } from './originCheck';
import { refuseUpgrade as refuse } from './refuseUpgrade';
import { requestPath } from './requestPath';

export interface UpgradeDeps {
  store: Store;
  relay: Relay;
  log: Logger;
  now: () => number;
  audit: AuditLog;
  operators: OperatorAuth;
  /** Whether the console listener speaks TLS (its origin's scheme). */
  consoleSecure: boolean;
  /** Origins besides the broker's own that may open console links. */
  allowedOrigins: ReadonlySet<string>;
}

export const AGENT_PATH = '/ws/agent';
export const CONSOLE_PATH = '/ws/console';

/** Which listener an upgrade arrived on: each serves one endpoint. */
export type ListenerKind = 'console' | 'agent';

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Authenticates WebSocket upgrades before a socket exists (`ws` with
 * `noServer`): a bad credential gets a JSON 401 and never a WebSocket.
 * Consoles present an API token or access token on the console listener (in
 * the Authorization header, or from a browser in the subprotocol list, see
 * browserConsoleAuth.ts); agents present
 * their client certificate on the agent listener (TLS has checked its chain
 * and dates; here the machine must exist and not be revoked). Returns the
 * server that owns the accepted sockets and an `upgrade` handler per listener.
 */
export function createUpgradeHandler(deps: UpgradeDeps): {
  wss: WebSocketServer;
  onUpgrade: (listener: ListenerKind) => UpgradeListener;
} {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Terminal data is mostly incompressible once it flows, and deflate halves relay throughput.
    perMessageDeflate: false,
    clientTracking: true,
    // Browsers offer `fleetterm.v1, fleetterm.bearer.<token>`; only the first is ever answered.
    handleProtocols: selectConsoleProtocol,
  });

  /**
   * Until ws owns the socket, a reset by the peer must not become an uncaught
   * error. One listener for all sockets, made out here: a closure made per
   * upgrade would share the upgrade's scope and keep its request (headers,
   * head buffer) alive for as long as the link lives.
   */
  const onEarlySocketError = (error: Error) => deps.log.debug({ err: error.message }, 'upgrade socket error');

  /** ws listens for the socket's errors once it owns it. */
  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onEarlySocketError);
      then(ws);
    });

  const onUpgrade =
    (listener: ListenerKind): UpgradeListener =>
    (req, socket, head) => {
      socket.on('error', onEarlySocketError);
      try {
        const path = requestPath(req.url);
        const served = listener === 'agent' ? AGENT_PATH : CONSOLE_PATH;
        if (path !== served) {
          const other = path === AGENT_PATH || path === CONSOLE_PATH;
          return refuse(
            socket,
            new HttpError(
              404,
              'NOT_FOUND',
              other
                ? `${path} is served on the ${listener === 'agent' ? 'console' : 'agent'} listener, not this one`
                : `no WebSocket endpoint ${path ?? req.url ?? ''}; this listener serves ${served}`,
            ),
          );
        }
        /** Refused before a socket exists; logged and audited. */
        const refuseLink = (error: HttpError): void => {
          deps.log.info({ path, remote: req.socket.remoteAddress, code: error.code }, 'link refused');
          deps.audit.record('link.refused', {
            target: path,
            detail: { code: error.code, remote: req.socket.remoteAddress },
          });
          refuse(socket, error);
        };
        if (listener === 'agent') {
          // Agents are programs, never pages: an Origin means a browser was made to call here.
          if (req.headers.origin !== undefined) {
            return refuseLink(new HttpError(403, 'FORBIDDEN', 'the agent endpoint does not accept browser requests'));
          }
          const peer = (req.socket as TLSSocket).getPeerX509Certificate?.();
          const identity = authenticateMachineCertificate(deps.store, peer);
          if (!identity.ok) {
            const { status, code, message } = identity.error;
            return refuseLink(new HttpError(status, code, message));
          }
          const { machine, notAfter } = identity.value;
          return accept(req, socket, head, (ws) => deps.relay.acceptAgent(ws, machine, notAfter));
        }
        const origin = originAllowed(req, deps.consoleSecure, deps.allowedOrigins);
        if (!origin.ok) return refuseLink(new HttpError(403, 'FORBIDDEN', origin.reason));
        const credential = consoleAuthorization(req);
        if (!credential.ok) return refuseLink(new HttpError(400, 'BAD_REQUEST', credential.reason));
        const operator = deps.operators.authenticate(credential.authorization, deps.now());
        if (!operator) {
          return refuseLink(
            new HttpError(
              401,
              'UNAUTHORIZED',
              'no live sign-in or API token: sign in again, or create an API token with `fleetterm-broker token create`',
            ),
          );
        }
        return accept(req, socket, head, (ws) => deps.relay.acceptConsole(ws, operator));
      } catch (error) {
        deps.log.error({ err: error instanceof Error ? error.stack : String(error) }, 'upgrade failed');
        refuse(socket, new HttpError(500, 'INTERNAL'));
      }
    };

  return { wss, onUpgrade };
}
