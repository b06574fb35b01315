/**
 * The few members of a WebSocket that the client uses. The browser's
 * `WebSocket` satisfies it as it is; in Node the CLI wraps `ws`. Keeping the
 * client on this interface is what lets the renderer reuse it unchanged.
 */
export interface WebSocketLike {
  /** The client sets 'arraybuffer' before the socket opens: binary frames arrive as ArrayBuffer. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed (as in the WHATWG WebSocket). */
  readonly readyState: number;
  /** Bytes queued by send() and not yet handed to the network. */
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  /** Text frames arrive as string, binary frames as ArrayBuffer. */
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  /**
   * Fires exactly once per socket, also when it never opened. A factory that
   * learns that the broker refused the credential (HTTP 401 at the upgrade,
   * which the browser cannot see but `ws` can) reports it here with
   * AUTH_FAILED_CLOSE_CODE; the link then stops reconnecting.
   */
  onclose: ((event: { code: number; reason: string }) => void) | null;
  /** Always followed by onclose; the client reads the outcome there. */
  onerror: ((event: unknown) => void) | null;
}

/** Creates a new, connecting socket to the broker's console endpoint. */
export type SocketFactory = () => WebSocketLike;

export const SocketState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/**
 * Close code a socket factory synthesizes when the broker answered the
 * upgrade with 401 (unknown, expired or revoked token). Chosen in the
 * application range (RFC 6455 §7.4.2) to echo the HTTP status; it never
 * travels on the wire.
 */
export const AUTH_FAILED_CLOSE_CODE = 4401;
