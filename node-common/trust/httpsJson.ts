import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One JSON request to a Fleetterm broker over node:https (or node:http for
 * plain loopback), with the trust decided by the caller: `ca` pins the CA
 * certificates the broker's chain must verify against, `insecure` skips
 * verification (only to fetch /api/v1/ca before anything is trusted: its
 * answer must be checked against a pin or a person's confirmation), and
 * neither uses the system's trust store.
 *
 * Every HTTP status with a JSON body is `ok: true`: the broker's errors are
 * `{ "error": { "code", "message" } }` and the caller reads them. `ok: false`
 * means no usable answer arrived, and its message says what to do.
 */
export interface JsonRequestOptions {
  method?: string;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** PEM certificates to trust instead of the system store (a bundle string or one PEM per item). */
  ca?: string | string[];
  /** Accept any certificate. Only for fetching what will be checked another way. */
  insecure?: boolean;
  /** For the whole exchange, from connecting to the last byte (default 15 s). */
  timeoutMs?: number;
  /** Larger answers are refused (default 8 MiB: a machine list of thousands fits). */
  maxBodyBytes?: number;
}

export type JsonRequestFailureCode = 'UNREACHABLE' | 'TLS_UNTRUSTED' | 'TLS_NAME_MISMATCH' | 'TIMEOUT' | 'BAD_ANSWER';

export type JsonAnswer = { ok: true; status: number; body: unknown };
export type JsonRequestFailure = { ok: false; code: JsonRequestFailureCode; message: string };
export type JsonResult = JsonAnswer | JsonRequestFailure;

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** OpenSSL's verification results that mean "this chain does not lead to a CA we trust" (or is out of date). */
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
]);

const UNREACHABLE_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the broker running, and is the port right?)',
  ENOTFOUND: 'host not found (check the name in the URL)',
  EAI_AGAIN: 'the name could not be resolved right now (check DNS)',
  EHOSTUNREACH: 'no route to the host (check the network)',
  ENETUNREACH: 'the network is unreachable (check the network)',
  ECONNRESET: 'the connection was reset (a proxy or firewall in the way?)',
};

export function requestJson(url: string, options: JsonRequestOptions = {}): Promise<JsonResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(failure('UNREACHABLE', `"${url}" is not a URL; write it like https://broker.example.org`));
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    return Promise.resolve(failure('UNREACHABLE', `${url}: only https:// and http:// URLs are supported`));
  }
  const secure = target.protocol === 'https:';
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: OutgoingHttpHeaders = { Accept: 'application/json', ...options.headers };
  if (body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const where = `the broker at ${target.protocol}//${target.host}`;

  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: JsonResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const send = secure ? httpsRequest : httpRequest;
    const req = send(target, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      // No pooled sockets: each call has its own trust settings, and a CLI makes few requests.
      agent: false,
      ...(secure ? { ca: options.ca, rejectUnauthorized: !options.insecure } : {}),
    });
    const timer = setTimeout(() => {
      settle(
        failure(
          'TIMEOUT',
          `${where} did not answer within ${formatMs(timeoutMs)}; is it reachable, and is the port right?`,
        ),
      );
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => settle(describeError(error, where, secure, options)));
    req.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          settle(failure('BAD_ANSWER', `${where} sent more than ${maxBodyBytes} bytes; is this a Fleetterm broker?`));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error: NodeJS.ErrnoException) => settle(describeError(error, where, secure, options)));
      response.on('end', () => settle(parseAnswer(response.statusCode ?? 0, Buffer.concat(chunks), where)));
    });
    req.end(body);
  });
}

function parseAnswer(status: number, bytes: Buffer, where: string): JsonResult {
  try {
    return { ok: true, status, body: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return failure(
      'BAD_ANSWER',
      `${where} answered HTTP ${status} with something that is not JSON; does the URL point at a Fleetterm broker?`,
    );
  }
}

function describeError(
  error: NodeJS.ErrnoException,
  where: string,
  secure: boolean,
  options: JsonRequestOptions,
): JsonRequestFailure {
  const code = error.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return failure(
      'TLS_NAME_MISMATCH',
      `the certificate of ${where} does not name this host (${error.message}); connect with a name the certificate ` +
        'lists (`fleetterm-broker ca show` on the broker host), or have the admin add it with ' +
        '`fleetterm-broker init --dns-name NAME`',
    );
  }
  if (UNTRUSTED_CODES.has(code)) {
    const against = options.ca === undefined ? "the system's trusted CAs" : 'the pinned CA';
    return failure(
      'TLS_UNTRUSTED',
      `the certificate of ${where} does not verify against ${against} (${code}: ${error.message}); ` +
        "compare the broker's CA fingerprint with `fleetterm-broker ca show` on the broker host",
    );
  }
  if (secure && (code === 'EPROTO' || /wrong version number|packet length too long/i.test(error.message))) {
    return failure(
      'UNREACHABLE',
      `${where} does not speak TLS (${error.message}); if the broker serves plain HTTP on loopback, use http://`,
    );
  }
  const hint = UNREACHABLE_HINTS[code];
  return failure('UNREACHABLE', `cannot reach ${where}: ${hint ?? error.message}`);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function failure(code: JsonRequestFailureCode, message: string): JsonRequestFailure {
  return { ok: false, code, message };
}
