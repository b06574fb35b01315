import { Option } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../../../common/duration';
import { openSqliteStore, type OpenStoreOptions } from '../store/openSqliteStore';
import type { SqliteStore } from '../store/sqliteStore';

/** An error for the operator: printed to stderr as is, with this exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const DEFAULT_DATA_DIR = join(homedir(), '.local', 'share', 'fleetterm', 'broker');

/** `--data DIR`, shared by every command; FLEETTERM_DATA overrides the default. */
export function dataOption(): Option {
  return new Option('--data <dir>', 'broker data directory (holds fleetterm.db)')
    .env('FLEETTERM_DATA')
    .default(DEFAULT_DATA_DIR, '~/.local/share/fleetterm/broker');
}

/** Commander's collector for a repeatable option: `--dns-name a --dns-name b` gives ['a', 'b']. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function jsonOption(): Option {
  return new Option('--json', 'print one JSON document on stdout and nothing else there');
}

/** Runs `fn` with the broker's store open, and closes it whatever happens. */
export function withStore<T>(dataDir: string, fn: (store: SqliteStore) => T, options: OpenStoreOptions = {}): T {
  let store: SqliteStore;
  try {
    store = openSqliteStore(dataDir, options);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Parses a `--ttl`; `never` (when allowed) gives null. */
export function parseTtl(text: string, allowNever: boolean): number | null {
  if (allowNever && text.trim().toLowerCase() === 'never') return null;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new CliError(`--ttl: ${parsed.error}${allowNever ? ', or never' : ''}`);
  if (parsed.value <= 0) throw new CliError('--ttl must be longer than zero');
  return parsed.value;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned table for people; scripts use --json. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(headers), ...rows.map(line)].join('\n')}\n`);
}

/** `2025-01-02 03:04` in UTC, or `-`. */
export function shortTime(value: number | string | null): string {
  if (value === null) return '-';
  return `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** Quotes a word for a POSIX shell only when it needs it (a leading ~ is left to expand). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_\-.,:/@%+=~]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
