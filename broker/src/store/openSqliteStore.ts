import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrate';
import { SqliteStore } from './sqliteStore';

export const DB_FILE = 'fleetterm.db';

export interface OpenStoreOptions {
  /** When false, a data directory without a database is an error instead of a new broker. */
  create?: boolean;
}

export class NoDatabaseError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `no Fleetterm broker data in ${dataDir} (${DB_FILE} not found); ` +
        'check --data (or FLEETTERM_DATA), or create it with `fleetterm-broker serve` or `token create`',
    );
  }
}

/**
 * Opens (and if needed creates) the broker's database in `dataDir`. The
 * directory is private to the broker (0700): it holds token hashes and the
 * session log. WAL lets the CLI read and write while `serve` runs.
 */
export function openSqliteStore(dataDir: string, options: OpenStoreOptions = {}): SqliteStore {
  const file = join(dataDir, DB_FILE);
  if (!existsSync(file)) {
    if (options.create === false) throw new NoDatabaseError(dataDir);
    if (!existsSync(dataDir)) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      chmodSync(dataDir, 0o700); // mkdir's mode is filtered by the umask
    } else if (!statSync(dataDir).isDirectory()) {
      throw new Error(`${dataDir} exists and is not a directory; choose another --data`);
    }
  }
  const created = !existsSync(file);
  const db = new Database(file);
  try {
    if (created) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // A CLI command and `serve` may write at once: wait for the lock instead of failing.
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return new SqliteStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}
