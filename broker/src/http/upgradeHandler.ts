import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../../../common/protocol';
import type { AuditLog } from '../audit/auditLog';
import { authenticateMachine, authenticateOperator } from '../auth/authenticate';
import type { Logger } from '../../../node-common/logger';
import type { Relay } from '../relay/relay';
import type { Store } from '../store/store';
import { HttpError } from './httpError';
import { refuseUpgrade as refuse } from './refuseUpgrade';
import { requestPath } from './requestPath';

export interface UpgradeDeps {
  store: Store;
  relay: Relay;
  log: Logger;
  now: () => number;
  audit: AuditLog;
}

export const AGENT_PATH = '/ws/agent';
export const CONSOLE_PATH = '/ws/console';

/**
 * Authenticates WebSocket upgrades before a socket exists (`ws` with
 * `noServer`): a bad credential gets a JSON 401 and never a WebSocket.
 * Returns the handler for the HTTP server's `upgrade` event and the server
 * that owns the accepted sockets.
 */
export function createUpgradeHandler(deps: UpgradeDeps): {
  wss: WebSocketServer;
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
} {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Terminal data is mostly incompressible once it flows, and deflate halves relay throughput.
    perMessageDeflate: false,
    clientTracking: true,
  });

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void) =>
    wss.handleUpgrade(req, socket, head, then);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Until ws owns the socket, a reset by the peer must not become an uncaught error.
    socket.on('error', (error) => deps.log.debug({ err: error.message }, 'upgrade socket error'));
    try {
      const path = requestPath(req.url);
      if (path === undefined) {
        return refuse(
          socket,
          new HttpError(404, 'NOT_FOUND', `the request target is not a path; use ${AGENT_PATH} or ${CONSOLE_PATH}`),
        );
      }
      const header = req.headers.authorization;
      /** 401 before a socket exists; logged and audited. */
      const refuseUnauthorized = (message: string): void => {
        deps.log.info({ path, remote: req.socket.remoteAddress }, 'link refused');
        deps.audit.record('link.refused', {
          target: path,
          detail: { code: 'UNAUTHORIZED', remote: req.socket.remoteAddress },
        });
        refuse(socket, new HttpError(401, 'UNAUTHORIZED', message));
      };
      if (path === AGENT_PATH) {
        const machine = authenticateMachine(deps.store, header);
        if (!machine) {
          return refuseUnauthorized('the machine credential is missing, unknown or revoked; enrol again');
        }
        return accept(req, socket, head, (ws) => deps.relay.acceptAgent(ws, machine));
      }
      if (path === CONSOLE_PATH) {
        const operator = authenticateOperator(deps.store, header, deps.now());
        if (!operator) {
          return refuseUnauthorized(
            'the API token is missing, unknown, expired or revoked; create one with `fleetterm-broker token create`',
          );
        }
        return accept(req, socket, head, (ws) => deps.relay.acceptConsole(ws, operator));
      }
      refuse(
        socket,
        new HttpError(404, 'NOT_FOUND', `no WebSocket endpoint ${path}; use ${AGENT_PATH} or ${CONSOLE_PATH}`),
      );
    } catch (error) {
      deps.log.error({ err: error instanceof Error ? error.stack : String(error) }, 'upgrade failed');
      refuse(socket, new HttpError(500, 'INTERNAL'));
    }
  };

  return { wss, onUpgrade };
}
