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

/** Brings the database to the newest schema; returns the version it was at. */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const start = db.pragma('user_version', { simple: true }) as number;
  if (start > migrations.length) throw new SchemaTooNewError(start, migrations.length);
  for (let version = start + 1; version <= migrations.length; version++) {
    const step = migrations[version - 1] ?? '';
    db.transaction(() => {
      db.exec(step);
      // PRAGMA cannot take a bound parameter; version is our own integer.
      db.pragma(`user_version = ${version}`);
    })();
  }
  return start;
}
