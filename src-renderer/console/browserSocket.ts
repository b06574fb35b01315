import './zodCsp';
import { AUTH_FAILED_CLOSE_CODE, type SocketFactory, type WebSocketLike } from '../../common/client';

import { BEARER_SUBPROTOCOL_PREFIX, CONSOLE_SUBPROTOCOL } from '../../common/protocol';

export { BEARER_SUBPROTOCOL_PREFIX, CONSOLE_SUBPROTOCOL };

/** RFC 6455 §7.4.1: the browser's code for a TLS handshake that failed (a certificate it does not trust). */
export const TLS_HANDSHAKE_CLOSE_CODE = 1015;

/**
 * What the broker makes of the token, asked over HTTP when a link closes
 * before it opened: the browser hides the upgrade's status (a 401 and an
 * unreachable broker both show as 1006), the API does not.
 */
export type CredentialCheck =
  { kind: 'valid' } | { kind: 'refused'; message: string } | { kind: 'unreachable'; message: string };

/** The part of the browser's WebSocket constructor we use (tests pass a fake). */
export type WebSocketConstructor = new (url: string, protocols: string[]) => BrowserWebSocket;

/** The members of the browser's WebSocket this adapter touches. */
export interface BrowserWebSocket {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface BrowserSocketOptions {
  /** The console endpoint, `wss://…/ws/console` (consoleSocketUrl). */
  url: string;
  /** The current access token, read at every connection: a refreshed token is used on the next reconnect. */
  token: () => string | undefined;
  /** Tells a refused token from an unreachable broker after a close before open (checkCredentialOverHttp). */
  checkCredential?: (token: string) => Promise<CredentialCheck>;
  /** Default: the browser's WebSocket. */
  WebSocketImpl?: WebSocketConstructor;
}

/** ConsoleLink's sockets in a page: the renderer's counterpart of cli/src/nodeSocketFactory.ts. */
export function createBrowserSocketFactory(options: BrowserSocketOptions): SocketFactory {
  return () => new BrowserSocket(options);
}

/** `http(s)://host` → `ws(s)://host/ws/console`. */
export function consoleSocketUrl(origin: string): string {
  const url = new URL('/ws/console', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Asks `GET /api/v1/me` whether the broker at `baseUrl` ('' for the page's
 * own origin) takes the token: 401 means refused, no answer unreachable.
 */
export async function checkCredentialOverHttp(
  baseUrl: string,
  token: string,
  fetchImpl: typeof fetch = (...args) => fetch(...args),
): Promise<CredentialCheck> {
  let status: number;
  try {
    status = (await fetchImpl(`${baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  } catch {
    return { kind: 'unreachable', message: 'the broker cannot be reached; check the network and that it is running' };
  }
  if (status === 401) return { kind: 'refused', message: SIGNIN_ENDED };
  if (status >= 200 && status < 300) return { kind: 'valid' };
  return { kind: 'unreachable', message: `the broker answered HTTP ${status}; try again in a moment` };
}

const SIGNIN_ENDED = 'the broker no longer accepts this sign-in (it expired or was ended); sign in again';

/**
 * The browser's WebSocket behind WebSocketLike. Adds what ConsoleLink needs
 * and the browser does not say: the token in the subprotocol list, a close
 * before open explained (refused token → AUTH_FAILED_CLOSE_CODE, so the link
 * stops retrying; unreachable → 1006 with words), and close() arguments the
 * browser accepts (it throws on codes outside 1000 and 3000–4999).
 */
export class BrowserSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  private readonly ws: BrowserWebSocket | undefined;
  private opened = false;
  private closedByUs = false;
  private reported = false;

  constructor(private readonly options: BrowserSocketOptions) {
    const token = options.token();
    if (!token) {
      this.ws = undefined;
      // Asynchronous like a real close, so the caller has set its handlers.
      queueMicrotask(() => this.report({ code: AUTH_FAILED_CLOSE_CODE, reason: 'not signed in; sign in first' }));
      return;
    }
    const Impl = options.WebSocketImpl ?? (globalThis.WebSocket as unknown as WebSocketConstructor);
    const ws = new Impl(options.url, [CONSOLE_SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`]);
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = (event) => {
      this.opened = true;
      this.onopen?.(event);
    };
    ws.onmessage = (event) => {
      const { data } = event;
      if (typeof data === 'string' || data instanceof ArrayBuffer) this.onmessage?.({ data });
    };
    ws.onerror = (event) => this.onerror?.(event);
    ws.onclose = (event) => void this.closed(token, event.code, event.reason);
  }

  get binaryType(): string {
    return 'arraybuffer';
  }

  set binaryType(_value: string) {
    // Always 'arraybuffer': the only type ConsoleLink uses.
  }

  get readyState(): number {
    return this.ws?.readyState ?? 3;
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  send(data: string | Uint8Array): void {
    this.ws?.send(data);
  }

  close(code?: number, reason?: string): void {
    this.closedByUs = true;
    const allowed = code === 1000 || (code !== undefined && code >= 3000 && code <= 4999);
    // The browser throws on a reason over 123 UTF-8 bytes; ours are short words, cut to be sure.
    this.ws?.close(allowed ? code : 1000, reason?.slice(0, 60));
  }

  private async closed(token: string, code: number, reason: string): Promise<void> {
    if (this.opened || this.closedByUs) {
      return this.report({ code, reason: reason || (code === 1006 ? 'the connection to the broker dropped' : '') });
    }
    if (code === TLS_HANDSHAKE_CLOSE_CODE) {
      return this.report({ code, reason: "this browser does not trust the broker's certificate" });
    }
    const check = this.options.checkCredential;
    if (!check) {
      return this.report({
        code: 1006,
        reason: 'the console link closed before it opened: the broker refused the sign-in or cannot be reached',
      });
    }
    let verdict: CredentialCheck;
    try {
      verdict = await check(token);
    } catch {
      verdict = { kind: 'unreachable', message: 'the broker cannot be reached' };
    }
    if (verdict.kind === 'refused') return this.report({ code: AUTH_FAILED_CLOSE_CODE, reason: verdict.message });
    if (verdict.kind === 'unreachable') return this.report({ code: 1006, reason: verdict.message });
    this.report({
      code: 1006,
      reason:
        'the broker refused the console link although the sign-in is valid; ' +
        'if this page is not served by the broker, an admin must allow its origin (serve --allowed-origin)',
    });
  }

  /** onclose exactly once, as WebSocketLike promises. */
  private report(event: { code: number; reason: string }): void {
    if (this.reported) return;
    this.reported = true;
    this.onclose?.(event);
  }
}
