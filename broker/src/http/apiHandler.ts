import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { formatVersion, PROTOCOL_VERSION } from '../../../common/protocol';
import type { AuditLog } from '../audit/auditLog';
import { authenticateOperator, type Operator } from '../auth/authenticate';
import { generateSecret, hashSecret, SecretPrefix } from '../auth/secrets';
import type { Logger } from '../../../node-common/logger';
import type { EnrollRefusal, Store } from '../store/store';
import { BROKER_VERSION } from '../version';
import { HttpError, sendError, sendJson } from './httpError';
import { readJsonBody } from './readJsonBody';
import { requestPath } from './requestPath';

export interface ApiDeps {
  store: Store;
  log: Logger;
  now: () => number;
  audit: AuditLog;
}

/** Most recent sessions returned by GET /api/v1/sessions. */
const SESSION_LIST_LIMIT = 200;

const EnrollBody = z.object({
  token: z.string().startsWith(SecretPrefix.ENROLL, 'an enrolment token starts with fte_').max(200),
  hostname: z.string().min(1).max(256),
  os: z.string().max(64).default(''),
  arch: z.string().max(32).default(''),
  agentVersion: z.string().max(256).default(''),
});

const ENROLL_REFUSAL_STATUS: Record<EnrollRefusal, number> = {
  ENROLL_TOKEN_UNKNOWN: 401,
  ENROLL_TOKEN_USED: 410,
  ENROLL_TOKEN_EXPIRED: 410,
  MACHINE_NAME_TAKEN: 409,
};

type Handler = (req: IncomingMessage, deps: ApiDeps) => Promise<unknown> | unknown;

function requireOperator(req: IncomingMessage, deps: ApiDeps): Operator {
  const operator = authenticateOperator(deps.store, req.headers.authorization, deps.now());
  if (!operator) {
    throw new HttpError(
      401,
      'UNAUTHORIZED',
      'send a live API token as `Authorization: Bearer ftk_…`; create one with `fleetterm-broker token create`',
    );
  }
  return operator;
}

async function enroll(req: IncomingMessage, deps: ApiDeps): Promise<unknown> {
  const parsed = EnrollBody.safeParse(await readJsonBody(req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, 'BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const body = parsed.data;
  const credential = generateSecret(SecretPrefix.MACHINE);
  const result = deps.store.enroll({
    tokenHash: hashSecret(body.token),
    credentialHash: hashSecret(credential),
    machineId: randomUUID(),
    hostname: body.hostname,
    os: body.os,
    arch: body.arch,
    agentVersion: body.agentVersion,
    now: deps.now(),
  });
  if (!result.ok) {
    deps.log.info({ code: result.error, hostname: body.hostname }, 'enrolment refused');
    deps.audit.record('machine.enroll_refused', {
      target: body.hostname,
      detail: { code: result.error, remote: req.socket.remoteAddress },
    });
    throw new HttpError(ENROLL_REFUSAL_STATUS[result.error], result.error);
  }
  const machine = result.value;
  deps.log.info({ machine: machine.name, machineId: machine.id, hostname: body.hostname }, 'machine enrolled');
  deps.audit.record('machine.enrolled', {
    target: machine.name,
    detail: {
      machineId: machine.id,
      hostname: body.hostname,
      os: body.os,
      arch: body.arch,
      remote: req.socket.remoteAddress,
    },
  });
  return { machineId: machine.id, name: machine.name, labels: machine.labels, credential };
}

const ROUTES: Record<string, Record<string, Handler>> = {
  '/api/v1/health': {
    GET: () => ({ status: 'ok', version: BROKER_VERSION, protocol: formatVersion(PROTOCOL_VERSION) }),
  },
  '/api/v1/enroll': { POST: enroll },
  '/api/v1/machines': {
    GET: (req, deps) => {
      requireOperator(req, deps);
      return { machines: deps.store.listMachines() };
    },
  },
  '/api/v1/sessions': {
    GET: (req, deps) => {
      requireOperator(req, deps);
      return { sessions: deps.store.listSessions(SESSION_LIST_LIMIT) };
    },
  },
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
