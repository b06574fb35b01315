import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { PkiError } from '../pki/pkiError';
import { hashSecret, SecretPrefix } from '../auth/secrets';
import type { EnrollRefusal } from '../store/store';
import type { ApiDeps } from './apiHandler';
import { HttpError } from './httpError';
import { readJsonBody } from './readJsonBody';

const EnrollBody = z.object({
  token: z.string().startsWith(SecretPrefix.ENROLL, 'an enrolment token starts with fte_').max(200),
  /** PKCS#10, PEM: the agent's own key pair, generated on the machine; only its public key is used. */
  csr: z
    .string()
    .min(1)
    .max(16 * 1024),
  /** When given, must be the name the token was created for. */
  name: z.string().min(1).max(64).optional(),
  hostname: z.string().min(1).max(256),
  os: z.string().max(64).default(''),
  arch: z.string().max(32).default(''),
  agentVersion: z.string().max(256).default(''),
});

const ENROLL_REFUSAL_STATUS: Record<EnrollRefusal, number> = {
  ENROLL_TOKEN_UNKNOWN: 401,
  ENROLL_TOKEN_USED: 410,
  ENROLL_TOKEN_EXPIRED: 410,
  ENROLL_NAME_MISMATCH: 403,
  MACHINE_NAME_TAKEN: 409,
};

/**
 * POST /api/v1/enroll: a one-time token and a CSR in, a client certificate
 * out. The token is checked before anything is signed (cheap refusals),
 * and spent in the same transaction that creates the machine and records
 * its certificate, so two agents racing with one token get one machine.
 */
export async function enroll(req: IncomingMessage, deps: ApiDeps): Promise<unknown> {
  const parsed = EnrollBody.safeParse(await readJsonBody(req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, 'BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const body = parsed.data;
  const tokenHash = hashSecret(body.token);
  const refuse = (code: EnrollRefusal | 'BAD_CSR', message?: string): never => {
    deps.log.info({ code, hostname: body.hostname }, 'enrolment refused');
    deps.audit.record('machine.enroll_refused', {
      target: body.name ?? body.hostname,
      detail: { code, remote: req.socket.remoteAddress },
    });
    throw new HttpError(code === 'BAD_CSR' ? 400 : ENROLL_REFUSAL_STATUS[code], code, message);
  };

  const usable = deps.store.checkEnrollToken(tokenHash, body.name, deps.now());
  if (!usable.ok) refuse(usable.error);
  const machineId = randomUUID();
  let issued;
  try {
    issued = await deps.tls.ca.signAgentCsr(body.csr, machineId, deps.agentCertValidityMs);
  } catch (error) {
    if (error instanceof PkiError) refuse('BAD_CSR', error.message);
    throw error;
  }
  const now = deps.now();
  const result = deps.store.enroll({
    tokenHash,
    requestedName: body.name,
    machineId,
    certificate: { ...issued, machineId, issuedAt: now },
    hostname: body.hostname,
    os: body.os,
    arch: body.arch,
    agentVersion: body.agentVersion,
    now,
  });
  if (!result.ok) return refuse(result.error);
  const machine = result.value;
  deps.log.info({ machine: machine.name, machineId, hostname: body.hostname }, 'machine enrolled');
  deps.audit.record('machine.enrolled', {
    target: machine.name,
    detail: {
      machineId,
      hostname: body.hostname,
      os: body.os,
      arch: body.arch,
      serial: issued.serial,
      notAfter: new Date(issued.notAfter).toISOString(),
      remote: req.socket.remoteAddress,
    },
  });
  return {
    machineId,
    name: machine.name,
    labels: machine.labels,
    certificate: issued.chainPem,
    caRoots: deps.tls.trustedRoots().map((root) => root.pem),
    agentUrl: deps.agentUrl(req),
  };
}
