/** Process exit codes of `fleetterm`, documented in `fleetterm --help`. */
export const ExitCode = {
  OK: 0,
  /** The remote command failed, a machine refused, or the broker refused the request or the token. */
  REMOTE_FAILURE: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** The broker could not be reached. */
  UNREACHABLE: 3,
  /**
   * The broker's TLS certificate is not trusted: an unknown broker not
   * confirmed (or no terminal to ask), a changed CA, a CA file or pin that
   * does not match, or a damaged known_brokers.json. Distinct from 1 so that
   * scripts never retry a refusal that only a person can resolve.
   */
  TRUST_REFUSED: 4,
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
