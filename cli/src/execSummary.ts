import { formatTable } from './table';

/** One machine's outcome, as `exec --json` prints it. */
export interface ExecResult {
  machine: string;
  /** The exit status, or null when a signal ended the command or it never ran. */
  exitCode: number | null;
  signal: string | null;
  /** The output with `\n` line ends; empty unless collected (--json, --group). */
  output: string;
  /** Why the command did not run or finish normally: a code from the error catalog, or TIMEOUT. */
  error?: { code: string; message: string };
}

export function succeeded(result: ExecResult): boolean {
  return result.exitCode === 0 && !result.error;
}

/** 0 only if every machine ran the command and it exited 0; otherwise 1. */
export function execExitCode(results: readonly ExecResult[]): 0 | 1 {
  return results.length > 0 && results.every(succeeded) ? 0 : 1;
}

export function describeOutcome(result: ExecResult): string {
  if (result.error) return result.error.code;
  if (result.exitCode !== null) return `exit ${result.exitCode}`;
  if (result.signal) return `signal ${result.signal}`;
  return 'unknown';
}

/** The table printed to stderr after an `exec`, then one line with the counts. */
export function formatSummary(results: readonly ExecResult[]): string {
  const rows = results.map((r) => [r.machine, describeOutcome(r), r.error?.message ?? '']);
  const failed = results.filter((r) => !succeeded(r)).length;
  const total = `${results.length} machine${results.length === 1 ? '' : 's'}: ${results.length - failed} ok, ${failed} failed\n`;
  return formatTable(['MACHINE', 'RESULT', 'DETAIL'], rows) + total;
}

/** The one document `exec --json` prints on stdout. */
export function formatJsonResults(results: readonly ExecResult[]): string {
  return `${JSON.stringify({ results }, null, 2)}\n`;
}
