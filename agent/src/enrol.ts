import { X509Certificate } from 'node:crypto';
import { arch, hostname, platform } from 'node:os';
import { z } from 'zod';
import { isErrorCode, type ErrorCode } from '../../common/protocol';
import { err, ok, type Result } from '../../common/result';
import { createCsr, exportPrivateKeyPem, generateKeyPair, spkiPin } from '../../node-common/pki';
import { fetchBrokerRoots, requestJson, rootsMatchingPin } from '../../node-common/trust';
import type { AgentIdentity } from './identity';
import { AGENT_VERSION } from './version';

const EnrolAnswer = z.object({
  machineId: z.string().min(1),
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  certificate: z.string().includes('BEGIN CERTIFICATE'),
  caRoots: z.array(z.string()).min(1),
  agentUrl: z.string().startsWith('wss://'),
});

const ErrorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface EnrolRefusal {
  /**
   * A catalog code; UNREACHABLE / BAD_ANSWER for failures before the broker
   * could answer properly; CA_PIN_MISMATCH when the broker is not the one the pin names.
   */
  code: ErrorCode | 'UNREACHABLE' | 'BAD_ANSWER' | 'CA_PIN_MISMATCH';
  message: string;
}

export interface EnrolRequest {
  /** The broker's console listener, `https://…` (plain http only on loopback). */
  httpBase: string;
  token: string;
  /** The SPKI pin of the broker's CA root (`sha256/…`), from `enroll-token create`. */
  caPin: string;
  /** When given, the name the token must have been made for. */
  name?: string;
}

/**
 * Enrols this machine: checks that the broker's CA is the pinned one (so
 * the token goes to no one else), makes a key pair here, sends a CSR with
 * the one-time token over TLS verified against that CA, and returns the
 * identity to store. The private key never leaves this process.
 */
export async function enrol(request: EnrolRequest): Promise<Result<AgentIdentity, EnrolRefusal>> {
  const { httpBase } = request;
  const fetched = await fetchBrokerRoots(httpBase);
  if (!fetched.ok) {
    return err({ code: fetched.code === 'BAD_ANSWER' ? 'BAD_ANSWER' : 'UNREACHABLE', message: fetched.message });
  }
  const pinned = rootsMatchingPin(fetched.roots, request.caPin);
  if (pinned.length === 0) {
    return err({
      code: 'CA_PIN_MISMATCH',
      message:
        `the broker at ${httpBase} presents CA ${fetched.roots.map((root) => root.pin).join(', ')}, not ${request.caPin}; ` +
        'check --ca-pin with the admin (`fleetterm-broker ca show`): something may be between you and the broker',
    });
  }
  const keys = await generateKeyPair();
  const answer = await requestJson(`${httpBase}/api/v1/enroll`, {
    method: 'POST',
    // Only the pinned CA: the token must not reach a server the pin does not vouch for.
    ca: pinned.map((root) => root.pem),
    body: {
      token: request.token,
      csr: await createCsr(keys, request.name ?? hostname()),
      ...(request.name ? { name: request.name } : {}),
      hostname: hostname(),
      os: platform(),
      arch: arch(),
      agentVersion: AGENT_VERSION,
    },
  });
  if (!answer.ok) {
    return err({ code: answer.code === 'BAD_ANSWER' ? 'BAD_ANSWER' : 'UNREACHABLE', message: answer.message });
  }
  if (answer.status !== 200) {
    const refusal = ErrorAnswer.safeParse(answer.body);
    if (refusal.success && isErrorCode(refusal.data.error.code)) {
      return err({ code: refusal.data.error.code, message: refusal.data.error.message });
    }
    return err({ code: 'BAD_ANSWER', message: `the broker answered HTTP ${answer.status} without an explanation` });
  }
  const parsed = EnrolAnswer.safeParse(answer.body);
  if (!parsed.success) {
    return err({ code: 'BAD_ANSWER', message: 'the broker answered the enrolment with something unexpected' });
  }
  const body = parsed.data;
  if (spkiPin(new X509Certificate(body.certificate)) !== spkiPin(keys.publicKey)) {
    return err({ code: 'BAD_ANSWER', message: 'the broker sent a certificate for another key; enrol again' });
  }
  return ok({
    machine: {
      machineId: body.machineId,
      name: body.name,
      labels: body.labels,
      broker: httpBase,
      agentUrl: body.agentUrl,
      caPin: request.caPin,
      enrolledAt: new Date().toISOString(),
    },
    keyPem: await exportPrivateKeyPem(keys.privateKey),
    certificatePem: body.certificate,
    caRoots: body.caRoots,
  });
}
