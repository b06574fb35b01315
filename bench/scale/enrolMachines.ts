// The enrolment transaction of POST /api/v1/enroll (broker/src/http/enrollEndpoint.ts)
// without its HTTP round trip, for the idle-links workload: thousands of machines,
// each with its own enrolment token spent, its own certificate signed by the broker's
// CA and recorded in its store. One key pair (and CSR) serves them all: the broker's
// cost per link does not depend on whose key signed the TLS handshake.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret, hashSecret, SecretPrefix } from '../../broker/src/auth/secrets';
import { CertificateAuthority } from '../../broker/src/pki/certificateAuthority';
import { openSqliteStore } from '../../broker/src/store/openSqliteStore';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '../../node-common/pki';

export interface EnrolledMachines {
  keyPem: string;
  /** Each machine's certificate chain (PEM), as enrolment hands it to the agent. */
  chains: string[];
  /** The broker's root CA (PEM), which agents trust for the agent listener. */
  caPem: string;
}

/** Enrols `count` machines named `<prefix>-1`… into the broker data in `dataDir` (the broker need not run). */
export async function enrolMachines(dataDir: string, count: number, prefix: string): Promise<EnrolledMachines> {
  const ca = await CertificateAuthority.load(dataDir);
  const store = openSqliteStore(dataDir);
  try {
    const keys = await generateKeyPair();
    const csr = await createCsr(keys, prefix);
    const chains: string[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `${prefix}-${i}`;
      const tokenHash = hashSecret(generateSecret(SecretPrefix.ENROLL));
      const now = Date.now();
      store.createEnrollToken({ hash: tokenHash, name, labels: {}, createdAt: now, expiresAt: now + 3_600_000 });
      const machineId = randomUUID();
      const issued = await ca.signAgentCsr(csr, machineId);
      const enrolled = store.enroll({
        tokenHash,
        requestedName: name,
        machineId,
        certificate: { ...issued, machineId, issuedAt: now },
        hostname: name,
        os: 'linux',
        arch: 'x64',
        agentVersion: 'fleetterm-bench-load',
        now,
      });
      if (!enrolled.ok) throw new Error(`enrolling ${name} failed: ${enrolled.error}`);
      chains.push(issued.chainPem);
    }
    const caPem = readFileSync(join(dataDir, 'pki', 'root.crt'), 'utf8');
    return { keyPem: await exportPrivateKeyPem(keys.privateKey), chains, caPem };
  } finally {
    store.close();
  }
}
