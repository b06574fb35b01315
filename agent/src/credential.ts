import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { err, ok, type Result } from '../../common/result';

/** What enrolment gives the agent; kept in `<state>/credential.json`, mode 0600. */
export const Credential = z.object({
  machineId: z.string().min(1),
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  /** The machine's secret (`ftm_…`), presented on every connection. */
  credential: z.string().startsWith('ftm_'),
  /** The broker it was issued by; a later `--broker` may point elsewhere (a proxy). */
  broker: z.string().min(1),
  enrolledAt: z.string(),
});
export type Credential = z.infer<typeof Credential>;

export function credentialPath(stateDir: string): string {
  return join(stateDir, 'credential.json');
}

/** The stored credential, `undefined` when the agent has not enrolled yet. */
export async function readCredential(stateDir: string): Promise<Result<Credential | undefined, string>> {
  const path = credentialPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return err(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const parsed = Credential.safeParse(JSON.parse(text));
    if (parsed.success) return ok(parsed.data);
  } catch {
    // fall through: not JSON
  }
  return err(`${path} is damaged; move it away and enrol again with a new enrolment token`);
}

/** Writes the credential atomically with mode 0600 in a 0700 state directory. */
export async function writeCredential(stateDir: string, credential: Credential): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await chmod(stateDir, 0o700);
  const path = credentialPath(stateDir);
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
