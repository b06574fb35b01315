import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditCheckpoint, AuditHead } from '../store/store';
import { canonicalJson } from './auditHash';

/** Relative to the data directory. */
export const CHECKPOINT_KEY_PATH = join('audit', 'checkpoint.key');

const signedBytes = (head: AuditHead): Buffer => Buffer.from(canonicalJson({ seq: head.seq, hash: head.hash }), 'utf8');

/**
 * The Ed25519 key that signs audit checkpoints, kept beside the database
 * (0600). A checkpoint pins the chain's head at a seq: rows cut from the end
 * below it, or a chain rewritten beneath it, no longer match a signature that
 * cannot be forged without this key.
 */
export class CheckpointKey {
  readonly keyId: string;
  private readonly publicKey: KeyObject;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    const der = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(der).digest('hex').slice(0, 16);
  }

  /** The key in `dataDir`, or undefined when none was ever generated there. */
  static load(dataDir: string): CheckpointKey | undefined {
    const file = join(dataDir, CHECKPOINT_KEY_PATH);
    if (!existsSync(file)) return undefined;
    return new CheckpointKey(createPrivateKey(readFileSync(file)));
  }

  /** Loads the key, generating it once. Safe against `serve` and a CLI command generating at the same time. */
  static loadOrCreate(dataDir: string): CheckpointKey {
    const existing = CheckpointKey.load(dataDir);
    if (existing) return existing;
    const dir = join(dataDir, 'audit');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    // Written in full under a private name, then linked into place: link fails if another process won the race.
    const temp = join(dir, `checkpoint.key.${process.pid}.${Date.now()}`);
    writeFileSync(temp, pem, { mode: 0o600 });
    try {
      linkSync(temp, join(dataDir, CHECKPOINT_KEY_PATH));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
    return CheckpointKey.load(dataDir) as CheckpointKey;
  }

  sign(head: AuditHead, at: number): AuditCheckpoint {
    const signature = sign(null, signedBytes(head), this.privateKey).toString('base64');
    return { seq: head.seq, hash: head.hash, at, keyId: this.keyId, signature };
  }

  verify(checkpoint: AuditCheckpoint): boolean {
    try {
      return verify(null, signedBytes(checkpoint), this.publicKey, Buffer.from(checkpoint.signature, 'base64'));
    } catch {
      return false;
    }
  }
}
