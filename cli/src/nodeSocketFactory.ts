import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import { AUTH_FAILED_CLOSE_CODE, type SocketFactory, type WebSocketLike } from '../../common/client';
import { formatDuration } from '../../common/duration';
import { HEARTBEAT_TIMEOUT_MS, MAX_FRAME_BYTES } from '../../common/protocol';

export interface NodeSocketOptions {
  /** The console endpoint, `ws://…/ws/console` or `wss://…/ws/console`. */
  url: string;
  token: string;
  /** Terminate the socket after this long without a ping or a message (default 45 s, PROTOCOL.md). */
  silenceTimeoutMs?: number;
  /** Give up on a TCP/TLS/HTTP handshake after this long (default 10 s). */
  handshakeTimeoutMs?: number;
  /** For wss://, the PEM CA certificates the broker's chain must lead to (its pinned roots) instead of the system's. */
  ca?: string[];
}

/**
 * The close code a TLS handshake failure gets (RFC 6455 reserves 1015 for
 * it; the browser's socket reports it the same way), so callers can tell a
 * broker we do not trust from one we cannot reach.
 */
export const TLS_HANDSHAKE_CLOSE_CODE = 1015;

/** OpenSSL's verification failures and the hostname check: the broker is not who the pinned CA says. */
const TLS_TRUST_ERROR =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_.*|CERT_.*|INVALID_CA|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** The broker's 401 body is tiny JSON; more than this is not worth reading. */
const MAX_ERROR_BODY_CHARS = 4096;

/** ConsoleLink's sockets in Node, on `ws`. */
export function createNodeSocketFactory(options: NodeSocketOptions): SocketFactory {
  return () => new NodeWebSocket(options);
}

/**
 * `ws` behind the WebSocketLike interface, adding what the browser's socket
 * cannot do: the token in an Authorization header, a 401 at the upgrade
 * reported as AUTH_FAILED_CLOSE_CODE, and a silence timeout (the broker
 * pings every 15 s; nothing for 45 s means the path is dead).
 */
export class NodeWebSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  private readonly ws: WebSocket;
  private readonly silenceTimeoutMs: number;
  private silenceTimer: NodeJS.Timeout | undefined;
  /** Set when we know better than `ws` why the socket closes (401, silence). */
  private outcome: { code: number; reason: string } | undefined;
  private lastError = '';

  constructor(options: NodeSocketOptions) {
    this.silenceTimeoutMs = options.silenceTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    this.ws = new WebSocket(options.url, {
      // Terminal bytes are small and often already compressed; deflate costs
      // CPU and memory per link for little gain, and the broker disables it too.
      perMessageDeflate: false,
      headers: { Authorization: `Bearer ${options.token}` },
      // The broker refuses console links without its own origin (a browser page elsewhere would send its own).
      origin: new URL(options.url).origin.replace(/^ws/, 'http'),
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      maxPayload: MAX_FRAME_BYTES,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    this.ws.binaryType = 'arraybuffer';
    this.ws.on('open', () => {
      this.heard();
      this.onopen?.({});
    });
    this.ws.on('message', (data: ArrayBuffer | Buffer, isBinary: boolean) => {
      this.heard();
      // Text frames arrive as Buffer whatever the binaryType.
      this.onmessage?.({ data: isBinary ? toArrayBuffer(data) : Buffer.from(data as Buffer).toString('utf8') });
    });
    this.ws.on('ping', () => this.heard());
    this.ws.on('pong', () => this.heard());
    this.ws.on('unexpected-response', (request, response) => this.refused(request, response));
    this.ws.on('error', (error: Error & { code?: string }) => {
      this.lastError = describeSocketError(error);
      if (TLS_TRUST_ERROR.test(error.code ?? '')) {
        this.outcome ??= { code: TLS_HANDSHAKE_CLOSE_CODE, reason: this.lastError };
      }
      this.onerror?.({ message: this.lastError });
    });
    this.ws.on('close', (code: number, reason: Buffer) => {
      clearTimeout(this.silenceTimer);
      const event = this.outcome ?? { code, reason: reason.toString('utf8') || this.lastError };
      this.onclose?.(event);
    });
  }

  get binaryType(): string {
    return 'arraybuffer';
  }

  set binaryType(_value: string) {
    // Always 'arraybuffer': the only type ConsoleLink uses.
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    clearTimeout(this.silenceTimer);
    this.ws.close(code, reason);
  }

  private heard(): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.outcome = {
        code: 1006,
        reason: `nothing heard from the broker for ${formatDuration(this.silenceTimeoutMs)}`,
      };
      this.ws.terminate();
    }, this.silenceTimeoutMs);
  }

  /** The broker answered the upgrade with an HTTP status instead of a WebSocket. */
  private refused(request: { destroy(): void }, response: IncomingMessage): void {
    const status = response.statusCode ?? 0;
    let body = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const detail = errorMessageFrom(body);
      this.outcome =
        status === 401
          ? { code: AUTH_FAILED_CLOSE_CODE, reason: detail ?? 'the broker refused the token (HTTP 401)' }
          : { code: 1006, reason: `the broker answered HTTP ${status}${detail ? `: ${detail}` : ''}` };
      request.destroy();
      this.ws.terminate();
    };
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < MAX_ERROR_BODY_CHARS) body += chunk;
    });
    response.on('end', finish);
    response.on('error', finish);
    response.on('close', finish);
  }
}

function toArrayBuffer(data: ArrayBuffer | Buffer): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/** `{"error":{"code","message"}}` as the broker sends it, as "CODE: message". */
function errorMessageFrom(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    if (typeof code === 'string' && typeof message === 'string') return `${code}: ${message}`;
  } catch {
    // Not the broker's JSON: say nothing more than the status.
  }
  return undefined;
}

function describeSocketError(error: Error & { code?: string }): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused (is the broker running?)';
  if (error.code === 'ENOTFOUND') return 'host not found';
  if (error.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the broker's certificate does not name this host (${error.message}); connect with a name it lists`;
  }
  if (TLS_TRUST_ERROR.test(error.code ?? '')) {
    return `the broker's certificate does not verify against its pinned CA (${error.code}: ${error.message})`;
  }
  return error.message;
}
