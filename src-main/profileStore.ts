import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { DesktopUser, SignInMethod } from '../common/desktopApi';
import type { SecretVault } from './secretVault';

/** A broker as profiles.json keeps it (the pinned CA lives in known_brokers.json, keyed by host:port). */
export interface StoredProfile {
  id: string;
  name: string;
  /** The HTTP base (common/brokerUrl parseBrokerUrl). */
  url: string;
  signInMethod: SignInMethod;
  addedAt: string;
}

/** A sign-in with its refresh secret, opened from the vault. */
export interface StoredSignIn {
  user: DesktopUser;
  /** When the sign-in ends at the latest (ms since epoch); refreshing does not move it. */
  expiresAt: number;
  refreshToken: string;
}

const User = z.object({ id: z.string(), name: z.string(), displayName: z.string(), role: z.string() });
const Sealed = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('safeStorage'), data: z.string() }),
  z.object({ kind: z.literal('plaintext'), secret: z.string() }),
]);
const Profile = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  signInMethod: z.enum(['auto', 'window', 'browser']),
  addedAt: z.string(),
  signIn: z.object({ user: User, expiresAt: z.number(), refresh: Sealed }).optional(),
});
const FileContents = z.object({ version: z.literal(1), profiles: z.array(Profile) });
type FileProfile = z.infer<typeof Profile>;

export class ProfileStoreError extends Error {
  override readonly name = 'ProfileStoreError';
}

/**
 * The desktop app's brokers, in `<userData>/profiles.json` (0600, written
 * atomically). Refresh secrets go through the vault: encrypted in the file,
 * or in this object's memory only when the vault says so. A damaged file is
 * an error with guidance, never replaced behind the person's back.
 */
export class ProfileStore {
  /** Sign-ins the vault would not write to disk; they end with the app. */
  private readonly inMemory = new Map<string, StoredSignIn>();

  constructor(
    readonly path: string,
    private readonly vault: SecretVault,
  ) {}

  list(): StoredProfile[] {
    return this.read().map(withoutSecret);
  }

  get(id: string): StoredProfile | undefined {
    const found = this.read().find((profile) => profile.id === id);
    return found && withoutSecret(found);
  }

  add(profile: Omit<StoredProfile, 'id' | 'addedAt'>, now = Date.now()): StoredProfile {
    const profiles = this.read();
    const added: FileProfile = { ...profile, id: randomUUID(), addedAt: new Date(now).toISOString() };
    this.write([...profiles, added]);
    return withoutSecret(added);
  }

  remove(id: string): boolean {
    const profiles = this.read();
    const kept = profiles.filter((profile) => profile.id !== id);
    this.inMemory.delete(id);
    if (kept.length === profiles.length) return false;
    this.write(kept);
    return true;
  }

  saveSignIn(id: string, signIn: StoredSignIn): void {
    const sealed = this.vault.seal(signIn.refreshToken);
    this.inMemory.delete(id);
    if (sealed === null) this.inMemory.set(id, signIn);
    this.change(id, (profile) => ({
      ...profile,
      signIn: sealed === null ? undefined : { user: signIn.user, expiresAt: signIn.expiresAt, refresh: sealed },
    }));
  }

  /** The sign-in with its secret, or undefined (none, or a secret this vault cannot open). */
  signIn(id: string): StoredSignIn | undefined {
    const remembered = this.inMemory.get(id);
    if (remembered) return remembered;
    const stored = this.read().find((profile) => profile.id === id)?.signIn;
    if (!stored) return undefined;
    const refreshToken = this.vault.open(stored.refresh);
    return refreshToken === null ? undefined : { user: stored.user, expiresAt: stored.expiresAt, refreshToken };
  }

  clearSignIn(id: string): void {
    this.inMemory.delete(id);
    if (this.read().find((profile) => profile.id === id)?.signIn) {
      this.change(id, (profile) => ({ ...profile, signIn: undefined }));
    }
  }

  private change(id: string, update: (profile: FileProfile) => FileProfile): void {
    this.write(this.read().map((profile) => (profile.id === id ? update(profile) : profile)));
  }

  private read(): FileProfile[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ProfileStoreError(`cannot read ${this.path} (${(error as Error).message}); check its permissions`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = FileContents.safeParse(json);
    if (!parsed.success) {
      throw new ProfileStoreError(
        `${this.path} is damaged, so Fleetterm does not replace it: repair it, or move it away ` +
          `(mv ${this.path} ${this.path}.bad) and add your brokers again`,
      );
    }
    return parsed.data.profiles;
  }

  private write(profiles: FileProfile[]): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileSync(temporary, `${JSON.stringify({ version: 1, profiles }, null, 2)}\n`, { mode: 0o600 });
      chmodSync(temporary, 0o600);
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new ProfileStoreError(
        `cannot write ${this.path} (${(error as Error).message}); check the folder's owner and free space`,
      );
    }
  }
}

function withoutSecret(profile: FileProfile): StoredProfile {
  return {
    id: profile.id,
    name: profile.name,
    url: profile.url,
    signInMethod: profile.signInMethod,
    addedAt: profile.addedAt,
  };
}
