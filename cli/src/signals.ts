import { constants } from 'node:os';

/**
 * The exit status a shell reports for a process ended by a signal: 128 + the
 * signal number (bash, POSIX sh). Unknown names give 128 + 0, still a failure.
 */
export function signalExitCode(signal: string): number {
  const numbers = constants.signals as Record<string, number | undefined>;
  return 128 + (numbers[signal] ?? 0);
}

/** The remote exit status, as this process's own exit code. */
export function remoteExitCode(exit: { code: number | null; signal: string | null }): number {
  if (exit.code !== null) return exit.code & 0xff;
  return exit.signal ? signalExitCode(exit.signal) : 1;
}
