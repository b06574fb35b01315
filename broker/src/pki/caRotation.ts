import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { CertificateAuthority, GENERATION_FILES, writeGeneration } from './certificateAuthority';
import { makePrivateDir, pkiDir, pkiPath, previousPkiDir } from './pkiFiles';
import { PkiError } from './pkiError';

/**
 * Step one of a CA rotation: the current generation becomes the previous
 * one (still trusted, still signing the server certificate) and a new root
 * and issuing CA take its place (signing agent certificates from now on).
 * Agents move over at their next renewal, which also hands them the new root.
 */
export async function rotateCa(dataDir: string, now: () => number = Date.now): Promise<CertificateAuthority> {
  const before = await CertificateAuthority.load(dataDir);
  if (before.rotating) {
    throw new PkiError(
      'ROTATION_IN_PROGRESS',
      `a rotation is already under way (${previousPkiDir(dataDir)} exists); ` +
        'finish it with `fleetterm-broker ca retire` once every agent has renewed (see `ca show`)',
    );
  }
  const dir = pkiDir(dataDir);
  const id = randomBytes(4).toString('hex');
  // Copy the current generation aside first: until the rename it is not trusted twice, after it nothing is lost.
  const aside = `${previousPkiDir(dataDir)}.${id}.tmp`;
  makePrivateDir(aside);
  for (const file of GENERATION_FILES) copyFileSync(pkiPath(dir, file), pkiPath(aside, file));
  renameSync(aside, previousPkiDir(dataDir));
  const fresh = await writeGeneration(`${dir}/next.${id}.tmp`, now);
  for (const file of GENERATION_FILES) renameSync(pkiPath(fresh, file), pkiPath(dir, file));
  rmSync(fresh, { recursive: true, force: true });
  return CertificateAuthority.load(dataDir);
}

/**
 * Step two: the previous generation is no longer trusted. Agents still on
 * it are refused from now on; the server certificate is reissued by the new
 * generation (agents that renewed trust its root).
 */
export async function retireCa(dataDir: string): Promise<CertificateAuthority> {
  const previous = previousPkiDir(dataDir);
  if (!existsSync(pkiPath(previous, 'rootCert'))) {
    throw new PkiError(
      'NOT_ROTATING',
      'there is no previous CA to retire; `fleetterm-broker ca rotate` starts a rotation',
    );
  }
  await CertificateAuthority.load(dataDir); // refuse to touch a CA that does not load
  rmSync(previous, { recursive: true, force: true });
  return CertificateAuthority.load(dataDir);
}
