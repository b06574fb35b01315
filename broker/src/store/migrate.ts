import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `the database is at schema version ${found}, but this broker knows only up to ${known}; ` +
        'run a newer fleetterm-broker (or restore a backup made by this version)',
    );
  }
}

export class ForeignKeyError extends Error {
  constructor(readonly version: number) {
    super(`schema migration ${version} would leave rows pointing at missing ones; the database was left unchanged`);
  }
}

/**
 * Brings the database to the newest schema; returns the version it was at.
 * Foreign keys are off while steps run (a step may rebuild a table, which
 * SQLite does by copy, drop and rename) and checked before each commits.
 */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const start = db.pragma('user_version', { simple: true }) as number;
  if (start > migrations.length) throw new SchemaTooNewError(start, migrations.length);
  if (start === migrations.length) return start;
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  // Only outside a transaction does this take effect.
  db.pragma('foreign_keys = OFF');
  try {
    for (let version = start + 1; version <= migrations.length; version++) {
      const step = migrations[version - 1] ?? '';
      db.transaction(() => {
        db.exec(step);
        if ((db.pragma('foreign_key_check') as unknown[]).length > 0) throw new ForeignKeyError(version);
        // PRAGMA cannot take a bound parameter; version is our own integer.
        db.pragma(`user_version = ${version}`);
      })();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return start;
}
