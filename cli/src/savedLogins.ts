import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { brokerKey, knownBrokersPath } from '../../node-common/trust/knownBrokers';

/** What `fleetterm login` keeps per broker: the sign-in's secrets (this file is the user's only, 0600). */
const Login = z.object({
  user: z.string(),
  role: z.string(),
  accessToken: z.string().startsWith('fta_'),
  accessExpiresAt: z.number(),
  refreshToken: z.string().startsWith('ftr_'),
  expiresAt: z.number(),
});
export type SavedLogin = z.infer<typeof Login>;

const FileContents = z.object({ version: z.literal(1), brokers: z.record(z.string(), Login) });

export const LOGINS_FILE = 'logins.json';

/** Next to known_brokers.json (FLEETTERM_CONFIG_DIR, XDG_CONFIG_HOME, ~/.config/fleetterm). */
export function savedLoginsPath(env: Record<string, string | undefined>): string {
  return join(dirname(knownBrokersPath(env)), LOGINS_FILE);
}

/**
 * The sign-ins of `fleetterm login`, one per broker. A damaged file is an
 * error with guidance, never silently replaced; writes are atomic with mode 0600.
 */
export class SavedLogins {
  constructor(readonly path: string) {}

  get(broker: string): SavedLogin | undefined {
    const key = brokerKey(broker);
    return key === null ? undefined : this.read().brokers[key];
  }

  put(broker: string, login: SavedLogin): void {
    const key = brokerKey(broker);
    if (key === null) throw new Error(`${broker} is not a broker URL`);
    const contents = this.read();
    contents.brokers[key] = login;
    this.write(contents);
  }

  remove(broker: string): boolean {
    const key = brokerKey(broker);
    const contents = this.read();
    if (key === null || !(key in contents.brokers)) return false;
    delete contents.brokers[key];
    this.write(contents);
    return true;
  }

  private read(): z.infer<typeof FileContents> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, brokers: {} };
      throw new Error(`cannot read ${this.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        cause: error,
      });
    }
    try {
      const parsed = FileContents.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON
    }
    throw new Error(`${this.path} is damaged; remove it and run \`fleetterm login\` again`);
  }

  private write(contents: z.infer<typeof FileContents>): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}
