import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatVersion, PROTOCOL_VERSION } from '../../../common/protocol';
import type { AuditLog } from '../audit/auditLog';
import type { Accounts } from '../auth/accounts';
import type { AccountSettings } from '../auth/accountSettings';
import type { TerminalAccess } from '../auth/terminal/terminalAccess';
import type { TotpFlows } from '../auth/totpFlows';
import type { LoopbackAuthorization } from '../auth/cliLogin/loopbackAuthorization';
import { missingScope, type Operator, type OperatorAuth } from '../auth/operatorAuth';
import { ACCOUNT_ROUTES } from './accountEndpoints';
import { ACCOUNT_PAGE_ROUTES } from './accountPageEndpoints';
import { BROADCAST_ROUTES } from './broadcastEndpoints';
import type { BroadcastStepUpRule } from '../relay/broadcastStepUp';
import type { RateLimiter } from './rateLimiter';
import type { Logger } from '../../../node-common/logger';
import type { Store } from '../store/store';
import type { BrokerTls } from '../tls/brokerTls';
import { enroll } from './enrollEndpoint';
import { BROKER_VERSION } from '../version';
import { HttpError, sendError, sendJson } from './httpError';
import { requestPath } from './requestPath';

export interface ApiDeps {
  store: Store;
  /** The web console's address (passkeys work on it: a DNS name, not an IP address). */
  consoleUrl: string;
  /** Everything outside /api/: the web console's page and files. */
  webConsole: (req: IncomingMessage, res: ServerResponse) => void;
  accounts: Accounts;
  terminalAccess: TerminalAccess;
  /** When a broadcast needs a fresh step-up (the relay applies the same rule to the frames). */
  broadcastStepUp: BroadcastStepUpRule;
  totpFlows: TotpFlows;
  /** The signed-in person's own account page. */
  accountSettings: AccountSettings;
  loopbackAuthorization: LoopbackAuthorization;
  /** Authentication endpoints' per-address limit. */
  authLimiter: RateLimiter;
  /** The operator behind the request's bearer secret, or a 401 thrown. */
  requireOperator: (req: IncomingMessage) => Operator;
  log: Logger;
  now: () => number;
  audit: AuditLog;
  tls: BrokerTls;
  /** Lifetime of agent certificates (7 days unless a test shortens it). */
  agentCertValidityMs?: number;
  /** The agent listener's URL as an agent that reached us with this request should dial it. */
  agentUrl: (req: IncomingMessage) => string;
}

/** Most recent sessions returned by GET /api/v1/sessions. */
const SESSION_LIST_LIMIT = 200;

export type Handler = (req: IncomingMessage, deps: ApiDeps) => Promise<unknown> | unknown;

/** The operator behind a request's bearer secret (an API token or a sign-in's access token), or a 401. */
export function requireOperator(operators: OperatorAuth, req: IncomingMessage, now: number): Operator {
  const operator = operators.authenticate(req.headers.authorization, now);
  if (!operator) {
    throw new HttpError(
      401,
      'UNAUTHORIZED',
      'sign in, or send a live API token as `Authorization: Bearer ftk_…` (`fleetterm-broker token create`)',
    );
  }
  return operator;
}

const ROUTES: Record<string, Record<string, Handler>> = {
  '/api/v1/health': {
    GET: (_req, deps) => ({
      status: 'ok',
      version: BROKER_VERSION,
      protocol: formatVersion(PROTOCOL_VERSION),
      consoleUrl: deps.consoleUrl,
    }),
  },
  '/api/v1/ca': { GET: (_req, deps) => ({ roots: deps.tls.trustedRoots() }) },
  '/api/v1/enroll': { POST: enroll },
  '/api/v1/machines': {
    GET: (req, deps) => {
      const unscoped = missingScope(deps.requireOperator(req), 'read');
      if (unscoped) throw new HttpError(403, 'FORBIDDEN', unscoped);
      return { machines: deps.store.listMachines() };
    },
  },
  '/api/v1/sessions': {
    GET: (req, deps) => {
      const unscoped = missingScope(deps.requireOperator(req), 'read');
      if (unscoped) throw new HttpError(403, 'FORBIDDEN', unscoped);
      return { sessions: deps.store.listSessions(SESSION_LIST_LIMIT) };
    },
  },
  ...ACCOUNT_ROUTES,
  ...ACCOUNT_PAGE_ROUTES,
  ...BROADCAST_ROUTES,
};

/** The HTTP API of docs/PROTOCOL.md: JSON in and out, errors as `{error: {code, message}}`. */
export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res, deps);
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ApiDeps): Promise<void> {
  try {
    const path = requestPath(req.url);
    if (path === undefined)
      throw new HttpError(404, 'NOT_FOUND', 'the request target is not a path; the API lives under /api/v1');
    const methods = ROUTES[path];
    if (!methods && !path.startsWith('/api/')) return deps.webConsole(req, res);
    if (!methods) throw new HttpError(404, 'NOT_FOUND', `no endpoint ${path}; the API lives under /api/v1`);
    const handler = methods[req.method ?? ''];
    if (!handler) {
      res.setHeader('allow', Object.keys(methods).join(', '));
      throw new HttpError(405, 'BAD_REQUEST', `${path} accepts ${Object.keys(methods).join(', ')}`);
    }
    sendJson(res, 200, await handler(req, deps));
  } catch (error) {
    if (res.headersSent) return void res.destroy();
    if (error instanceof HttpError) {
      // The client may still be sending a refused body: do not keep reading it.
      if (error.status === 413) res.setHeader('connection', 'close');
      return sendError(res, error);
    }
    deps.log.error({ err: error instanceof Error ? error.stack : String(error), url: req.url }, 'http request failed');
    sendError(res, new HttpError(500, 'INTERNAL'));
  }
}
