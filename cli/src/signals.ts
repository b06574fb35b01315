import { constants } from 'node:os';

/**
 * The exit status a shell reports for a process ended by a signal: 128 + the
 * signal number (bash, POSIX sh). Unknown names give 128 + 0, still a failure.
 */
export function signalExitCode(signal: string): number {
  const numbers = constants.signals as Record<string, number | undefined>;
  return 128 + (numbers[signal] ?? 0);
}

/**
 * The remote exit status, as this process's own exit code (0–255). A status
 * whose low byte is 0 but is not 0 itself (256, possible from Windows) stays
 * a failure: 1.
 */
export function remoteExitCode(exit: { code: number | null; signal: string | null }): number {
  if (exit.code !== null) return exit.code === 0 ? 0 : exit.code & 0xff || 1;
  return exit.signal ? signalExitCode(exit.signal) : 1;
}
