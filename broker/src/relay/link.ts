import type { RawData, WebSocket } from 'ws';
import {
  decodeBinaryFrame,
  type BinaryFrame,
  CloseCode,
  defaultMessage,
  encodeMessage,
  formatVersion,
  isCompatible,
  MAX_INVALID_FRAMES,
  PROTOCOL_VERSION,
  type ErrorCode,
  type ErrorMessage,
  type Hello,
} from '../../../common/protocol';
import type { Result } from '../../../common/result';
import type { Logger } from '../../../node-common/logger';
import { LinkWriteBatch } from '../../../node-common/linkWriteBatch';
import type { LinkSweep, SweptLink } from './linkSweep';

export interface LinkTimings {
  /** A link without a valid hello after this long is closed with 4001. */
  helloTimeoutMs: number;
  /** The broker pings every link this often. */
  heartbeatIntervalMs: number;
  /** A link that sent nothing (no frame, no pong) for this long is terminated. */
  heartbeatTimeoutMs: number;
}

/** Bounds what the broker queues for a peer that does not read its replies. */
export interface ReplyLimit {
  /** Replies are not queued on a socket holding more unsent bytes than this. */
  maxBufferedBytes: number;
  /** Called instead of sending a reply past the limit (the link is then usually closed). */
  onOverrun(): void;
}

export interface LinkHandlers {
  onText(text: string): void;
  onBinary(bytes: Buffer): void;
  /** Called exactly once, when the link ends for any reason (also after close()). */
  onClose(code: number, reason: string): void;
}

/** Where a link logs: its lines carry `bindings` (which link, whose). */
export interface LinkLogging {
  parent: Logger;
  bindings: Record<string, string>;
}

/** After close() the peer gets this long to finish the closing handshake before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/** ws limits close reasons to 123 bytes. */
function shortReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : Buffer.from(reason).subarray(0, 120).toString('utf8');
}

/**
 * One WebSocket link (agent or console) as the relay sees it: the hello
 * deadline, heartbeats, the invalid-frame budget and idempotent closing.
 * It knows nothing about channels; AgentLink and ConsoleLink do. Every
 * handler runs inside a try/catch, so no input can crash the broker.
 */
export class Link<Out extends { type: string }> implements SweptLink {
  private closed = false;
  private invalidFrames = 0;
  private readonly openedAt = Date.now();
  private lastHeard = this.openedAt;
  /** Each link pings on its own phase (when it opened), so the pings of many links stay spread out. */
  private nextPingAt: number;
  private killTimer: NodeJS.Timeout | undefined;
  private greeted = false;
  private logger: Logger | undefined;
  /** The frames sent by one callback (a broadcast's fan-out, the output relayed from one read) go out in one write. */
  private readonly writes: LinkWriteBatch;

  constructor(
    private readonly ws: WebSocket,
    private readonly sweeper: LinkSweep,
    private readonly logging: LinkLogging,
    private readonly handlers: LinkHandlers,
    private readonly replyLimit?: ReplyLimit,
  ) {
    this.writes = new LinkWriteBatch(ws);
    this.nextPingAt = this.openedAt + sweeper.timings.heartbeatIntervalMs;
    ws.on('message', (data: RawData, isBinary: boolean) => this.guard('message', () => this.onMessage(data, isBinary)));
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.on('ping', () => (this.lastHeard = Date.now()));
    ws.on('error', (error: Error) => this.log.info({ err: error.message }, 'link error'));
    ws.on('close', (code: number, reason: Buffer) => this.finish(code, reason.toString('utf8')));
    sweeper.add(this);
  }

  /** Made when first used: a pino child costs about 370 bytes on each of thousands of idle links. */
  get log(): Logger {
    return (this.logger ??= this.logging.parent.child(this.logging.bindings));
  }

  /** An info line with the link's bindings, without making its logger (most links only log coming and going). */
  info(fields: Record<string, unknown>, msg: string): void {
    if (this.logger) this.logger.info(fields, msg);
    else this.logging.parent.info({ ...this.logging.bindings, ...fields }, msg);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get hasHello(): boolean {
    return this.greeted;
  }

  /** Bytes queued in the socket that the peer has not taken yet. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(message: Out | ErrorMessage): void {
    if (this.closed) return;
    this.writes.send(encodeMessage(message), false);
  }

  sendBinary(bytes: Uint8Array): void {
    if (this.closed) return;
    this.writes.send(bytes, true);
  }

  /**
   * Errors are replies to what the peer sent: a peer that keeps sending
   * without reading would otherwise grow the socket buffer without bound.
   */
  sendError(code: ErrorCode, message = defaultMessage(code), channel?: number): void {
    if (this.closed) return;
    if (this.replyLimit && this.ws.bufferedAmount > this.replyLimit.maxBufferedBytes) {
      return this.replyLimit.onOverrun();
    }
    this.send(channel === undefined ? { type: 'error', code, message } : { type: 'error', code, message, channel });
  }

  /** Answers an invalid frame with an error; closes the link with 4000 when the budget is spent. */
  invalid(code: ErrorCode, message: string, channel?: number): void {
    this.invalidFrames += 1;
    this.sendError(code, message, channel);
    this.log.info({ code, detail: message, count: this.invalidFrames }, 'invalid frame');
    if (this.invalidFrames >= MAX_INVALID_FRAMES) {
      this.close(CloseCode.PROTOCOL_VIOLATION, `${this.invalidFrames} invalid frames`);
    }
  }

  /**
   * Checks the first message of the link. On success the hello deadline is
   * cleared and the hello returned; otherwise the peer is told why and the
   * link closed (4001, or 4002 for another major version).
   */
  acceptHello<M extends { type: string }>(
    text: string,
    decoded: Result<M, { code: ErrorCode; message: string }>,
    role: Hello['role'],
  ): Hello | undefined {
    const major = helloMajor(text);
    if (major !== undefined && !isCompatible({ major, minor: 0 })) {
      // Checked before the schema: another major's hello may not match this one's.
      this.sendError(
        'VERSION_UNSUPPORTED',
        `this broker speaks protocol ${formatVersion(PROTOCOL_VERSION)} and the peer ${major}.x; update the older side`,
      );
      this.close(CloseCode.VERSION_UNSUPPORTED, 'unsupported protocol version');
      return undefined;
    }
    if (!decoded.ok) {
      this.sendError(decoded.error.code, `the first message must be a valid hello: ${decoded.error.message}`);
      this.close(CloseCode.HELLO_REQUIRED, 'invalid hello');
      return undefined;
    }
    if (decoded.value.type !== 'hello') {
      this.sendError('UNEXPECTED_MESSAGE', `the first message must be hello, not ${decoded.value.type}`);
      this.close(CloseCode.HELLO_REQUIRED, 'hello required');
      return undefined;
    }
    // Both directions' unions hold the same Hello schema.
    const hello = decoded.value as unknown as Hello;
    if (hello.role !== role) {
      this.sendError('UNEXPECTED_MESSAGE', `this endpoint is for ${role}s, but the hello says ${hello.role}`);
      this.close(CloseCode.HELLO_REQUIRED, 'wrong role');
      return undefined;
    }
    this.greeted = true;
    return hello;
  }

  /**
   * The binary frame in `bytes`, or undefined after answering for it: a
   * frame before the hello closes the link (4001), a bad one counts as invalid.
   */
  decodeBinary(bytes: Uint8Array): BinaryFrame | undefined {
    if (!this.hasHello) return void this.refuseBeforeHello();
    const decoded = decodeBinaryFrame(bytes);
    if (!decoded.ok) return void this.invalid(decoded.error.code, decoded.error.message);
    return decoded.value;
  }

  /** Refuses anything but a text hello as the first frame (4001). */
  refuseBeforeHello(): void {
    this.sendError('UNEXPECTED_MESSAGE', 'the first message must be hello');
    this.close(CloseCode.HELLO_REQUIRED, 'hello required');
  }

  /** Closes the link (idempotent). The close handlers run now, not when the peer answers. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.guard('close', () => this.ws.close(code, shortReason(reason)));
    this.killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.killTimer.unref();
    this.finish(code, reason);
  }

  /** Runs a handler so that nothing it throws escapes into the event loop. */
  guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error({ err: error instanceof Error ? error.stack : String(error), what }, 'handler failed');
      if (what === 'message') this.sendError('INTERNAL');
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastHeard = Date.now();
    if (this.closed) return;
    // With the default binaryType ('nodebuffer') ws hands over one Buffer, also for fragmented messages.
    const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    if (isBinary) this.handlers.onBinary(bytes);
    else this.handlers.onText(bytes.toString('utf8'));
  }

  /** Called by the relay's LinkSweep: the hello deadline, the silence limit and the next ping. */
  sweep(now: number): void {
    const { helloTimeoutMs, heartbeatIntervalMs, heartbeatTimeoutMs } = this.sweeper.timings;
    if (!this.greeted && now - this.openedAt >= helloTimeoutMs) {
      return this.close(CloseCode.HELLO_REQUIRED, `no hello within ${helloTimeoutMs} ms`);
    }
    const silentFor = now - this.lastHeard;
    if (silentFor >= heartbeatTimeoutMs) {
      this.log.info({ silentMs: silentFor }, 'heartbeat timeout');
      this.guard('terminate', () => this.ws.terminate());
      return this.finish(1006, 'heartbeat timeout');
    }
    if (now < this.nextPingAt) return;
    this.nextPingAt = now + heartbeatIntervalMs;
    this.guard('ping', () => this.ws.ping());
  }

  private finish(code: number, reason: string): void {
    if (this.closed) {
      clearTimeout(this.killTimer);
      return;
    }
    this.closed = true;
    this.sweeper.delete(this);
    this.guard('close', () => this.handlers.onClose(code, reason));
  }
}

/** The major version a hello claims, read without the schema; undefined when the text is no hello. */
function helloMajor(text: string): number | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown; protocol?: { major?: unknown } } | null;
    const major = value?.type === 'hello' ? value.protocol?.major : undefined;
    return typeof major === 'number' && Number.isInteger(major) && major >= 0 ? major : undefined;
  } catch {
    return undefined;
  }
}
