import { ConsoleLink, LinkClosedError, type ConsoleLinkOptions } from '../../common/client';
import { describeCloseCode, isFatalCloseCode } from '../../common/protocol';
import type { ConnectionSettings } from './connection';
import { TOKEN_HINT } from './connection';
import { CliError, ExitCode } from './exitCodes';
import { parseMachines, type MachineInfo } from './machines';
import { createNodeSocketFactory } from './nodeSocketFactory';
import { CLI_SOFTWARE } from './version';

/** What the commands need from the broker: its machine list and console links. */
export interface BrokerClient {
  readonly settings: ConnectionSettings;
  /** The machine list, validated, plus the document as the broker sent it. */
  listMachines(): Promise<{ machines: MachineInfo[]; document: unknown }>;
  /** A new console link (connecting at once). The caller disposes it. */
  connect(): ConsoleLink;
}

export interface BrokerClientOptions {
  /** Per HTTP request (default 15 s). */
  requestTimeoutMs?: number;
  /** Extra ConsoleLink options (tests shorten the backoff). */
  link?: Partial<ConsoleLinkOptions>;
}

export function createBrokerClient(settings: ConnectionSettings, options: BrokerClientOptions = {}): BrokerClient {
  return {
    settings,
    listMachines: () => listMachines(settings, options.requestTimeoutMs ?? 15_000),
    connect: () =>
      new ConsoleLink({
        socketFactory: createNodeSocketFactory({ url: settings.wsUrl, token: settings.token }),
        software: CLI_SOFTWARE,
        ...options.link,
      }),
  };
}

async function listMachines(settings: ConnectionSettings, timeoutMs: number) {
  const url = `${settings.httpBase}/api/v1/machines`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${settings.token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CliError(ExitCode.UNREACHABLE, `cannot reach the broker at ${settings.httpBase}: ${fetchFailure(error)}`);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(
      ExitCode.REMOTE_FAILURE,
      `the broker at ${settings.httpBase} answered HTTP ${response.status} with something that is not JSON; does --broker point at a Fleetterm broker?`,
    );
  }
  if (!response.ok) throw httpFailure(response.status, body);
  const parsed = parseMachines(body);
  if (!parsed.ok) throw new CliError(ExitCode.REMOTE_FAILURE, parsed.error);
  return { machines: parsed.value, document: body };
}

function httpFailure(status: number, body: unknown): CliError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP ${status}`;
  const message = typeof error?.message === 'string' ? error.message : 'the broker refused the request';
  if (status === 401)
    return new CliError(
      ExitCode.REMOTE_FAILURE,
      `the broker refused the API token (${code}: ${message}). ${TOKEN_HINT}`,
    );
  return new CliError(ExitCode.REMOTE_FAILURE, `${code}: ${message}`);
}

function fetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the broker running?)';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Turns a link that could not connect (or closed for good) into the right exit code and advice. */
export function linkFailure(error: unknown, settings: ConnectionSettings): CliError {
  if (error instanceof CliError) return error;
  if (!(error instanceof LinkClosedError)) {
    return new CliError(ExitCode.REMOTE_FAILURE, error instanceof Error ? error.message : String(error));
  }
  if (error.authFailed) {
    return new CliError(ExitCode.REMOTE_FAILURE, `the broker refused the API token (${error.reason}). ${TOKEN_HINT}`);
  }
  if (isFatalCloseCode(error.closeCode)) {
    return new CliError(
      ExitCode.REMOTE_FAILURE,
      `the broker closed the connection: ${error.reason || describeCloseCode(error.closeCode)}`,
    );
  }
  return new CliError(ExitCode.UNREACHABLE, `cannot reach the broker at ${settings.wsUrl}: ${error.reason}`);
}
