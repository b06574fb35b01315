import type { X509Certificate } from 'node:crypto';
import { defaultMessage } from '../../../common/protocol';
import { err, ok, type Result } from '../../../common/result';
import { normaliseSerial } from '../pki/certificateAuthority';
import type { ApiTokenRecord, Machine, Store } from '../store/store';

/** Neither revoked nor expired at `now`. */
export function isLive(token: ApiTokenRecord, now: number): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now);
}

/** Why an agent's certificate does not get it in, with the HTTP status of the refusal. */
export interface MachineRefusal {
  status: 401 | 403;
  code: 'UNAUTHORIZED' | 'MACHINE_REVOKED';
  message: string;
}

const MACHINE_URI = /^URI:urn:fleetterm:machine:([0-9a-f-]{36})$/;

/**
 * The machine behind an agent link's client certificate. TLS already
 * checked that the certificate chains to a trusted CA and has not expired;
 * here it must also name a machine we enrolled, be one we issued to that
 * machine, and the machine must not be revoked.
 */
export function authenticateMachineCertificate(
  store: Store,
  peer: X509Certificate | undefined,
): Result<{ machine: Machine; notAfter: number }, MachineRefusal> {
  const enrolAgain = 'enrol the agent again with a new enrolment token';
  if (!peer) return err({ status: 401, code: 'UNAUTHORIZED', message: `no client certificate; ${enrolAgain}` });
  const machineId = (peer.subjectAltName ?? '')
    .split(', ')
    .map((name) => MACHINE_URI.exec(name)?.[1])
    .find((id) => id !== undefined);
  const machine = machineId === undefined ? undefined : store.findMachineById(machineId);
  const issued = store.findMachineCertificate(normaliseSerial(peer.serialNumber));
  if (!machine || issued?.machineId !== machine.id) {
    return err({
      status: 401,
      code: 'UNAUTHORIZED',
      message: `this broker has no record of the certificate; ${enrolAgain}`,
    });
  }
  if (machine.revokedAt !== null) {
    return err({ status: 403, code: 'MACHINE_REVOKED', message: defaultMessage('MACHINE_REVOKED') });
  }
  return ok({ machine, notAfter: issued.notAfter });
}
