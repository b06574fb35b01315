import type { Renew } from '../../../common/protocol';
import { PkiError } from '../pki/pkiError';
import type { AgentLink } from './agentLink';
import type { Relay } from './relay';

/** A link may renew at most this often: renewal signs with the CA key, which a misbehaving agent must not hog. */
const MIN_RENEWAL_INTERVAL_MS = 10_000;

const lastRenewal = new WeakMap<AgentLink, number>();
const inFlight = new WeakSet<AgentLink>();

/**
 * Signs a new certificate for the machine behind this link (the CSR's own
 * names and extensions are ignored, as at enrolment), records it, and sends
 * it with the roots to trust. The link stays open: sessions go on, and the
 * agent presents the new certificate on its next connection.
 */
export async function renewAgentCertificate(relay: Relay, agent: AgentLink, message: Renew): Promise<void> {
  const { machine } = agent;
  const now = relay.options.now();
  const refuse = (code: 'RENEWAL_REFUSED' | 'BAD_CSR', why: string) => {
    agent.link.sendError(code, why);
    agent.link.log.warn({ code, why }, 'certificate renewal refused');
    relay.audit.record('machine.renewal_refused', { target: machine.name, detail: { machineId: machine.id, code } });
  };
  if (inFlight.has(agent)) return refuse('RENEWAL_REFUSED', 'a renewal is already under way on this link; wait for it');
  if (now - (lastRenewal.get(agent) ?? -Infinity) < MIN_RENEWAL_INTERVAL_MS) {
    return refuse('RENEWAL_REFUSED', 'this link renewed moments ago; renew at 2/3 of the certificate lifetime');
  }
  if (relay.store.findMachineById(machine.id)?.revokedAt != null) {
    return refuse('RENEWAL_REFUSED', 'the machine was revoked');
  }
  inFlight.add(agent);
  lastRenewal.set(agent, now);
  try {
    const issued = await relay.options.tls.ca.signAgentCsr(message.csr, machine.id, relay.options.agentCertValidityMs);
    relay.store.recordMachineCertificate({ ...issued, machineId: machine.id, issuedAt: relay.options.now() });
    agent.certificateNotAfter = issued.notAfter;
    agent.link.send({
      type: 'renewed',
      certificate: issued.chainPem,
      caRoots: relay.options.tls.trustedRoots().map((root) => root.pem),
    });
    const notAfter = new Date(issued.notAfter).toISOString();
    agent.link.log.info({ serial: issued.serial, notAfter }, 'agent certificate renewed');
    relay.audit.record('machine.certificate_renewed', {
      target: machine.name,
      detail: { machineId: machine.id, serial: issued.serial, notAfter, caPin: issued.caPin },
    });
  } catch (error) {
    if (error instanceof PkiError) refuse('BAD_CSR', error.message);
    else {
      relay.log.error({ err: error instanceof Error ? error.stack : String(error) }, 'certificate renewal failed');
      agent.link.sendError('INTERNAL', 'the broker could not renew the certificate; it retries later');
    }
  } finally {
    inFlight.delete(agent);
  }
}
