/** Process exit codes of `fleetterm`, documented in `fleetterm --help`. */
export const ExitCode = {
  OK: 0,
  /** The remote command failed, a machine refused, or the broker refused the request or the token. */
  REMOTE_FAILURE: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** The broker could not be reached. */
  UNREACHABLE: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure that ends the command with a message on stderr and the given exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function usageError(message: string): CliError {
  return new CliError(ExitCode.USAGE, message);
}
