import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { rootFromPem } from './brokerRoots';

/**
 * The brokers this user has pinned, like SSH's known_hosts: for each
 * `host:port`, the CA roots its TLS certificate must chain to.
 *
 * `$FLEETTERM_CONFIG_DIR/known_brokers.json`, by default
 * `${XDG_CONFIG_HOME:-~/.config}/fleetterm/known_brokers.json`:
 *
 *     { "version": 1, "brokers": { "broker.example.org:443": { "roots": ["-----BEGIN CERTIFICATE-----…"],
 *       "pins": ["sha256/…"], "fingerprints": ["AB:…"], "addedAt": "…", "checkedAt": "…", "source": "confirmed" } } }
 *
 * Written atomically (temp file + rename) with mode 0600 in a 0700 folder.
 * A file that cannot be read or does not hold what it should is an error
 * with guidance and is never replaced behind the user's back: the pins are
 * the point of it. Every call reads the file again, and a write re-reads it
 * first and changes one entry, so two processes rarely undo each other.
 */
export type KnownBrokerSource = 'confirmed' | 'ca-file' | 'ca-pin';

export interface KnownBroker {
  /** PEM root certificates, one per item (current first, as the broker announced them). */
  roots: string[];
  /** The SPKI pins of `roots`, in the same order. */
  pins: string[];
  /** The SHA-256 fingerprints of `roots`, in the same order. */
  fingerprints: string[];
  /** ISO 8601: when the broker was first pinned. */
  addedAt: string;
  /** ISO 8601: when its announced roots were last compared with these (for rotation). */
  checkedAt?: string;
  /** How it was pinned: a person confirmed the fingerprint, an admin's CA file, or a pin. */
  source: KnownBrokerSource;
}

export type KnownBrokersErrorCode = 'KNOWN_BROKERS_DAMAGED' | 'KNOWN_BROKERS_UNSAFE' | 'KNOWN_BROKERS_UNWRITABLE';

export class KnownBrokersError extends Error {
  override readonly name = 'KnownBrokersError';

  constructor(
    readonly code: KnownBrokersErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const KNOWN_BROKERS_FILE = 'known_brokers.json';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

const Entry = z.object({
  roots: z.array(z.string()).min(1),
  pins: z.array(z.string()),
  fingerprints: z.array(z.string()),
  addedAt: z.iso.datetime(),
  checkedAt: z.iso.datetime().optional(),
  source: z.enum(['confirmed', 'ca-file', 'ca-pin']),
});
const FileContents = z.object({ version: z.literal(1), brokers: z.record(z.string(), Entry) });

/** Where the file lives for this environment (FLEETTERM_CONFIG_DIR, XDG_CONFIG_HOME, ~/.config). */
export function knownBrokersPath(env: Record<string, string | undefined> = process.env): string {
  if (env.FLEETTERM_CONFIG_DIR) return join(env.FLEETTERM_CONFIG_DIR, KNOWN_BROKERS_FILE);
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(xdg, 'fleetterm', KNOWN_BROKERS_FILE);
}

/**
 * The key of a broker: `host:port`, lower-case, IPv6 in brackets, 443 when
 * the URL names no port. Takes a URL (`https://Broker.example.org/fleet`)
 * or `host:port` as people type it; null when it is neither.
 */
export function brokerKey(urlOrHostPort: string): string | null {
  const text = urlOrHostPort.trim();
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.hostname === '') return null;
  const port = url.port || (url.protocol === 'http:' || url.protocol === 'ws:' ? '80' : '443');
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** A new entry for roots (PEM, current first), with their pins and fingerprints. */
export function knownBrokerEntry(
  roots: ReadonlyArray<{ pem: string; pin: string; fingerprint: string }>,
  source: KnownBrokerSource,
  now: number,
): KnownBroker {
  const at = new Date(now).toISOString();
  return {
    roots: roots.map((root) => root.pem),
    pins: roots.map((root) => root.pin),
    fingerprints: roots.map((root) => root.fingerprint),
    addedAt: at,
    checkedAt: at,
    source,
  };
}

export class KnownBrokers {
  constructor(readonly path: string) {}

  /** Every entry, by key. A missing file is an empty list. */
  list(): Record<string, KnownBroker> {
    return this.read();
  }

  get(key: string): KnownBroker | undefined {
    return this.read()[key];
  }

  set(key: string, entry: KnownBroker): void {
    const brokers = this.read();
    brokers[key] = entry;
    this.write(brokers);
  }

  /** Whether there was an entry to remove. */
  remove(key: string): boolean {
    const brokers = this.read();
    if (!(key in brokers)) return false;
    delete brokers[key];
    this.write(brokers);
    return true;
  }

  private read(): Record<string, KnownBroker> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new KnownBrokersError(
        'KNOWN_BROKERS_DAMAGED',
        `cannot read ${this.path} (${(error as Error).message}); check its owner and permissions`,
        { cause: error },
      );
    }
    this.checkPermissions();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.damaged(`it is not JSON (${(error as Error).message})`);
    }
    const parsed = FileContents.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.damaged(`${issue?.path.join('.') || 'the top level'}: ${issue?.message}`);
    }
    for (const [key, entry] of Object.entries(parsed.data.brokers)) this.checkEntry(key, entry);
    return parsed.data.brokers;
  }

  /** Pins and fingerprints must be those of the roots: a hand edit that breaks that is caught here. */
  private checkEntry(key: string, entry: KnownBroker): void {
    if (brokerKey(key) !== key) throw this.damaged(`"${key}" is not a host:port key`);
    if (entry.pins.length !== entry.roots.length || entry.fingerprints.length !== entry.roots.length) {
      throw this.damaged(`${key}: roots, pins and fingerprints must be lists of the same length`);
    }
    entry.roots.forEach((pem, index) => {
      const root = rootFromPem(pem);
      if (!root.ok) throw this.damaged(`${key}: root ${index + 1} ${root.error}`);
      if (root.value.pin !== entry.pins[index] || root.value.fingerprint !== entry.fingerprints[index]) {
        throw this.damaged(`${key}: the pin or fingerprint of root ${index + 1} does not match its certificate`);
      }
    });
  }

  /** Like SSH's StrictModes: pins that others can rewrite protect nothing. */
  private checkPermissions(): void {
    if (process.platform === 'win32') return;
    const mode = statSync(this.path).mode & 0o777;
    if ((mode & 0o022) !== 0) {
      throw new KnownBrokersError(
        'KNOWN_BROKERS_UNSAFE',
        `${this.path} can be changed by other users (mode ${mode.toString(8)}); check its contents, then ` +
          `run: chmod 600 ${this.path}`,
      );
    }
  }

  private damaged(reason: string): KnownBrokersError {
    return new KnownBrokersError(
      'KNOWN_BROKERS_DAMAGED',
      `${this.path} is damaged: ${reason}. It holds the CAs of the brokers you trust, so it is not replaced ` +
        `automatically: repair it, or move it away (mv ${this.path} ${this.path}.bad) and pin your brokers ` +
        'again with `fleetterm trust --broker URL`',
    );
  }

  private write(brokers: Record<string, KnownBroker>): void {
    const text = `${JSON.stringify({ version: 1, brokers }, null, 2)}\n`;
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: DIR_MODE });
      const fd = openSync(temp, 'wx', FILE_MODE);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(temp, FILE_MODE); // whatever the umask did
      renameSync(temp, this.path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new KnownBrokersError(
        'KNOWN_BROKERS_UNWRITABLE',
        `cannot write ${this.path} (${(error as Error).message}); check the folder's owner and permissions, ` +
          'or point FLEETTERM_CONFIG_DIR at a writable folder',
        { cause: error },
      );
    }
  }
}
