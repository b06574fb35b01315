import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { err, ok, type Result } from '../../common/result';
import { splitPemChain } from '../../node-common/pki/pem';

/** What enrolment tells the agent about itself and its broker; `<state>/machine.json`. */
export const MachineRecord = z.object({
  machineId: z.string().min(1),
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  /** The broker URL it enrolled through (the console listener). */
  broker: z.string().min(1),
  /** The agent listener it connects to, `wss://…/ws/agent`. */
  agentUrl: z.string().startsWith('wss://'),
  /** The SPKI pin of the root it was told to trust at enrolment. */
  caPin: z.string().min(1),
  enrolledAt: z.string(),
});
export type MachineRecord = z.infer<typeof MachineRecord>;

/**
 * The machine's TLS identity: a key generated here that never leaves the
 * state directory, the certificate the broker signed for it (leaf and
 * issuing CA) and the CA roots it trusts the broker by.
 */
export interface AgentIdentity {
  machine: MachineRecord;
  keyPem: string;
  certificatePem: string;
  caRoots: string[];
}

const FILES = {
  machine: 'machine.json',
  key: 'agent.key',
  certificate: 'agent.crt',
  ca: 'ca.crt',
} as const;

/** What bearer-credential agents (before certificates) left behind. */
const LEGACY_CREDENTIAL = 'credential.json';

export const identityPath = (stateDir: string, file: keyof typeof FILES): string => join(stateDir, FILES[file]);

/** When the identity's certificate starts and stops being valid (ms since the epoch). */
export function certificatePeriod(identity: AgentIdentity): { notBefore: number; notAfter: number } {
  const leaf = new X509Certificate(identity.certificatePem);
  return { notBefore: Date.parse(leaf.validFrom), notAfter: Date.parse(leaf.validTo) };
}

/** The stored identity, `undefined` when the agent has not enrolled yet. */
export async function readIdentity(stateDir: string): Promise<Result<AgentIdentity | undefined, string>> {
  const read = async (file: keyof typeof FILES): Promise<string | undefined> => {
    try {
      return await readFile(identityPath(stateDir, file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(
        `cannot read ${identityPath(stateDir, file)}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        {
          cause: error,
        },
      );
    }
  };
  const damaged = (what: string) =>
    err(`${what} in ${stateDir} is damaged; move the state directory away and enrol again with a new enrolment token`);
  try {
    const machineText = await read('machine');
    if (machineText === undefined) {
      if (existsSync(join(stateDir, LEGACY_CREDENTIAL))) {
        return err(
          `${stateDir} holds a credential from an older agent; agents now authenticate with certificates: ` +
            `move ${LEGACY_CREDENTIAL} away and enrol again with a new enrolment token and --ca-pin`,
        );
      }
      return ok(undefined);
    }
    let machine: MachineRecord;
    try {
      const parsed = MachineRecord.safeParse(JSON.parse(machineText));
      if (!parsed.success) return damaged(FILES.machine);
      machine = parsed.data;
    } catch {
      return damaged(FILES.machine);
    }
    const [keyPem, certificatePem, ca] = await Promise.all([read('key'), read('certificate'), read('ca')]);
    if (!keyPem || !certificatePem || !ca) return damaged(`${FILES.key}, ${FILES.certificate} or ${FILES.ca}`);
    const identity = { machine, keyPem, certificatePem, caRoots: splitPemChain(ca) };
    try {
      certificatePeriod(identity);
    } catch {
      return damaged(FILES.certificate);
    }
    return ok(identity);
  } catch (error) {
    return err((error as Error).message);
  }
}

/**
 * Writes the identity with mode 0600 in a 0700 state directory, each file
 * atomically, the key before the certificate that names it: a crash between
 * the two leaves a new key with the old certificate, which the next read
 * refuses to pair (TLS fails) rather than a certificate without its key.
 */
export async function writeIdentity(stateDir: string, identity: AgentIdentity): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await chmod(stateDir, 0o700);
  const write = async (file: keyof typeof FILES, text: string) => {
    const path = identityPath(stateDir, file);
    const temporary = `${path}.tmp`;
    await writeFile(temporary, text, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  };
  await write('key', identity.keyPem);
  await write('certificate', identity.certificatePem);
  await write('ca', identity.caRoots.join(''));
  await write('machine', `${JSON.stringify(identity.machine, null, 2)}\n`);
}
