import { ConsoleLink, LinkClosedError, type ConsoleLinkOptions } from '../../common/client';
import { describeCloseCode, isFatalCloseCode } from '../../common/protocol';
import { requestJson, type JsonRequestFailure } from '../../node-common/trust/httpsJson';
import type { ConnectionSettings } from './connection';
import { TOKEN_HINT } from './connection';
import { CliError, ExitCode } from './exitCodes';
import { parseMachines, type MachineInfo } from './machines';
import { createNodeSocketFactory, TLS_HANDSHAKE_CLOSE_CODE } from './nodeSocketFactory';
import { CLI_SOFTWARE } from './version';

/** What the commands need from the broker: its machine list and console links. */
export interface BrokerClient {
  readonly settings: ConnectionSettings;
  /** The machine list, validated, plus the document as the broker sent it. */
  listMachines(): Promise<{ machines: MachineInfo[]; document: unknown }>;
  /** A new console link (connecting at once). The caller disposes it. */
  connect(): ConsoleLink;
  /**
   * The one-time terminal token an `open` needs when signed in as a person
   * (`fleetterm login`); undefined with an API token, which needs none.
   */
  terminalToken(machine: string, loginUser: string | undefined): Promise<string | undefined>;
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
    terminalToken: (machine, loginUser) =>
      settings.signedIn ? mintTerminalToken(settings, machine, loginUser) : Promise.resolve(undefined),
    connect: () =>
      new ConsoleLink({
        socketFactory: createNodeSocketFactory({ url: settings.wsUrl, token: settings.token, ca: settings.ca }),
        software: CLI_SOFTWARE,
        ...options.link,
      }),
  };
}

async function listMachines(settings: ConnectionSettings, timeoutMs: number) {
  const answer = await requestJson(`${settings.httpBase}/api/v1/machines`, {
    headers: { Authorization: `Bearer ${settings.token}` },
    ca: settings.ca,
    timeoutMs,
  });
  if (!answer.ok) throw requestFailure(answer, settings);
  if (answer.status < 200 || answer.status > 299) throw httpFailure(answer.status, answer.body);
  const parsed = parseMachines(answer.body);
  if (!parsed.ok) throw new CliError(ExitCode.REMOTE_FAILURE, parsed.error);
  return { machines: parsed.value, document: answer.body };
}

async function mintTerminalToken(settings: ConnectionSettings, machine: string, loginUser: string | undefined) {
  const answer = await requestJson(`${settings.httpBase}/api/v1/terminal-tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${settings.token}` },
    body: { machine, ...(loginUser !== undefined ? { loginUser } : {}) },
    ca: settings.ca,
  });
  if (!answer.ok) throw requestFailure(answer, settings);
  const body = answer.body as { terminalToken?: string; error?: { code?: string; message?: string } };
  if (answer.status === 200 && body.terminalToken) return body.terminalToken;
  if (body.error?.code === 'STEP_UP_REQUIRED') {
    throw new CliError(
      ExitCode.REMOTE_FAILURE,
      'opening a terminal needs a passkey check within the last few minutes: run `fleetterm login` to confirm, then again',
    );
  }
  throw httpFailure(answer.status, answer.body);
}

/** No usable answer: the broker is unreachable, not trusted, or not a broker. */
function requestFailure(failure: JsonRequestFailure, settings: ConnectionSettings): CliError {
  switch (failure.code) {
    case 'UNREACHABLE':
    case 'TIMEOUT':
      return new CliError(ExitCode.UNREACHABLE, failure.message);
    case 'TLS_UNTRUSTED':
    case 'TLS_NAME_MISMATCH':
      return new CliError(ExitCode.TRUST_REFUSED, `${failure.message}. ${trustHint(settings)}`);
    case 'BAD_ANSWER':
      return new CliError(ExitCode.REMOTE_FAILURE, `${failure.message} (check --broker)`);
  }
}

/** Where to look when a pinned broker's certificate stops verifying. */
function trustHint(settings: ConnectionSettings): string {
  return `\`fleetterm trust --broker ${settings.httpBase}\` checks the broker's CA against the pinned one`;
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

/** Turns a link that could not connect (or closed for good) into the right exit code and advice. */
export function linkFailure(error: unknown, settings: ConnectionSettings): CliError {
  if (error instanceof CliError) return error;
  if (!(error instanceof LinkClosedError)) {
    return new CliError(ExitCode.REMOTE_FAILURE, error instanceof Error ? error.message : String(error));
  }
  if (error.authFailed) {
    return new CliError(ExitCode.REMOTE_FAILURE, `the broker refused the API token (${error.reason}). ${TOKEN_HINT}`);
  }
  if (error.closeCode === TLS_HANDSHAKE_CLOSE_CODE) {
    return new CliError(ExitCode.TRUST_REFUSED, `${error.reason}. ${trustHint(settings)}`);
  }
  if (isFatalCloseCode(error.closeCode)) {
    return new CliError(
      ExitCode.REMOTE_FAILURE,
      `the broker closed the connection: ${error.reason || describeCloseCode(error.closeCode)}`,
    );
  }
  return new CliError(ExitCode.UNREACHABLE, `cannot reach the broker at ${settings.wsUrl}: ${error.reason}`);
}
