import { Backoff, type BackoffOptions } from '../backoff';
import type { Disposable } from '../disposable';
import { formatDuration } from '../duration';
import {
  encodeDataFrame,
  isPermanentRefusal,
  MAX_COLS,
  MAX_DATA_PAYLOAD_BYTES,
  MAX_ROWS,
  type ConsoleOpened,
  type ConsoleToBroker,
  type ErrorCode,
  type Exit,
} from '../protocol';
import { AckTracker } from './ackTracker';
import { Emitter, type Listener } from './emitter';
import { SentInput } from './sentInput';
import type { Timers } from './timers';
import { chunks, toBytes } from './utf8';

export type ChannelStatus = 'open' | 'resuming' | 'ended';

export interface ExitEvent {
  /** The exit status, or null when a signal ended the process. */
  code: number | null;
  signal: string | null;
  /** Set when the agent ended the session itself (idle timeout, lifetime, shutdown). */
  reason?: { code: ErrorCode; message: string };
}

/** Output bytes [from, to) that the replay buffer no longer held. */
export interface LostEvent {
  from: number;
  to: number;
}

/** The channel ended without an exit. `LINK_CLOSED`: the console link itself closed for good. */
export interface ClosedEvent {
  code: ErrorCode | 'LINK_CLOSED';
  message: string;
}

/** Input held while a channel resumes. Beyond this, input is dropped
 *  (write() returns false): a person does not type a megabyte during a
 *  reconnect, and a pipe should not grow our memory without bound. */
export const MAX_PENDING_INPUT_BYTES = 1024 * 1024;

/** Sent input kept for resending after a re-attach: far more than can be in flight when a link dies. */
export const SENT_INPUT_KEPT_BYTES = 256 * 1024;

/** What a channel needs from its link. Internal to common/client. */
export interface ChannelHost {
  isConnected(): boolean;
  readonly timers: Timers;
  readonly resumeGiveUpMs: number;
  readonly backoff: BackoffOptions;
  sendControl(message: ConsoleToBroker): boolean;
  sendBinary(frame: Uint8Array): boolean;
  /** Allocate a channel id and send `attach {sessionId, offset}` for this channel. */
  requestReattach(channel: TerminalChannel): void;
  /** The channel ended or detached: forget it and its channel id. */
  forget(channel: TerminalChannel): void;
}

export interface ChannelInit {
  sessionId: string;
  machine: string;
  loginUser: string;
  channelId: number;
  /** The next output byte expected. */
  offset: number;
}

/**
 * One session (shell or exec) as seen by its user. The object stays the same
 * across link drops and re-attaches; only its channel id changes.
 *
 * Events are held until the first listener subscribes and then delivered in
 * order on the next microtask, so output that arrives in the same tick as the
 * `opened` answer is never missed. Subscribe to everything you need in the
 * same synchronous block. onExit/onClosed fire before onStatus('ended').
 *
 * Created by ConsoleLink.open()/attach(); never construct one yourself.
 */
export class TerminalChannel {
  readonly sessionId: string;
  readonly machine: string;
  readonly loginUser: string;

  private id: number | undefined;
  private nextOffset: number;
  private currentStatus: ChannelStatus = 'open';
  private readonly acks: AckTracker;
  private readonly sent = new SentInput(SENT_INPUT_KEPT_BYTES);
  private pendingInput: Uint8Array[] = [];
  private pendingInputBytes = 0;
  private pendingSize: { cols: number; rows: number } | undefined;
  private closeRequested = false;
  private attaching = false;
  private readonly resumeBackoff: Backoff;
  private retryTimer: unknown;
  private giveUpTimer: unknown;
  private lastRefusal: { code: ErrorCode; message: string } | undefined;
  private held: Array<() => void> | undefined = [];
  private flushScheduled = false;

  private readonly dataEmitter = new Emitter<Uint8Array>();
  private readonly exitEmitter = new Emitter<ExitEvent>();
  private readonly statusEmitter = new Emitter<ChannelStatus>();
  private readonly lostEmitter = new Emitter<LostEvent>();
  private readonly closedEmitter = new Emitter<ClosedEvent>();

  /** @internal */
  constructor(
    private readonly host: ChannelHost,
    init: ChannelInit,
  ) {
    this.sessionId = init.sessionId;
    this.machine = init.machine;
    this.loginUser = init.loginUser;
    this.id = init.channelId;
    this.nextOffset = init.offset;
    this.acks = new AckTracker(init.offset);
    this.resumeBackoff = new Backoff(host.backoff);
  }

  /** The next output byte expected: everything below it was delivered through onData (or reported lost). */
  get offset(): number {
    return this.nextOffset;
  }

  get status(): ChannelStatus {
    return this.currentStatus;
  }

  /** The channel id on the current link; undefined while resuming or after the end. */
  get channelId(): number | undefined {
    return this.id;
  }

  // ------------------------------------------------------------ user API

  /**
   * Sends input (strings are UTF-8 encoded), split into frames of at most
   * MAX_DATA_PAYLOAD_BYTES. While the channel resumes, input is held (up to
   * MAX_PENDING_INPUT_BYTES) and sent after the re-attach. Returns false when
   * the input was dropped (channel ended, or the hold is full).
   */
  write(data: Uint8Array | string): boolean {
    const bytes = toBytes(data);
    if (bytes.byteLength === 0) return true;
    if (this.currentStatus === 'ended') return false;
    if (this.currentStatus === 'open' && this.id !== undefined) return this.send(this.id, bytes);
    return this.hold(bytes);
  }

  /** @internal Input this channel received through a broadcast frame, counted as sent. */
  recordBroadcast(bytes: Uint8Array): void {
    this.sent.record(bytes);
  }

  private send(channelId: number, bytes: Uint8Array): boolean {
    for (const [i, chunk] of chunks(bytes, MAX_DATA_PAYLOAD_BYTES).entries()) {
      const frame = encodeDataFrame({ type: 'input', channel: channelId, offset: this.sent.total, payload: chunk });
      // The socket is going away (its close event is on its way): hold the rest for the re-attach.
      if (!this.host.sendBinary(frame)) return this.hold(bytes.subarray(i * MAX_DATA_PAYLOAD_BYTES));
      this.sent.record(chunk);
    }
    return true;
  }

  private hold(bytes: Uint8Array): boolean {
    if (this.pendingInputBytes + bytes.byteLength > MAX_PENDING_INPUT_BYTES) return false;
    // Copy: the caller may reuse its buffer before we get to send.
    this.pendingInput.push(bytes.slice());
    this.pendingInputBytes += bytes.byteLength;
    return true;
  }

  /** Changes the PTY size (clamped to the protocol's bounds). Sent after the re-attach while resuming. */
  resize(cols: number, rows: number): void {
    const size = { cols: clamp(cols, MAX_COLS), rows: clamp(rows, MAX_ROWS) };
    if (this.currentStatus === 'ended') return;
    const id = this.currentStatus === 'open' ? this.id : undefined;
    if (id === undefined || !this.host.sendControl({ type: 'resize', channel: id, ...size })) this.pendingSize = size;
  }

  /**
   * Call after really consuming `byteCount` bytes from onData (written to
   * stdout, parsed by the terminal). Acks go out in batches: at
   * ACK_BATCH_BYTES, or when everything delivered has been consumed.
   */
  consumed(byteCount: number): void {
    this.acks.consumed(byteCount);
    this.sendAckIfDue();
  }

  /** Ends the session (the agent ends the whole process group); onExit follows. */
  close(): void {
    if (this.currentStatus === 'ended') return;
    this.closeRequested = true;
    if (this.currentStatus === 'open' && this.id !== undefined) {
      this.host.sendControl({ type: 'close', channel: this.id });
    }
  }

  /** Releases the channel but keeps the session on the machine for the
   *  resume grace period (ConsoleLink.attach can take it up again). */
  detach(): void {
    if (this.currentStatus === 'ended') return;
    if (this.currentStatus === 'open' && this.id !== undefined) {
      this.host.sendControl({ type: 'detach', channel: this.id });
    }
    this.end(undefined);
  }

  onData(listener: Listener<Uint8Array>): Disposable {
    return this.listen(this.dataEmitter, listener);
  }

  onExit(listener: Listener<ExitEvent>): Disposable {
    return this.listen(this.exitEmitter, listener);
  }

  onStatus(listener: Listener<ChannelStatus>): Disposable {
    return this.listen(this.statusEmitter, listener);
  }

  onLost(listener: Listener<LostEvent>): Disposable {
    return this.listen(this.lostEmitter, listener);
  }

  onClosed(listener: Listener<ClosedEvent>): Disposable {
    return this.listen(this.closedEmitter, listener);
  }

  // ------------------------------------------------------------ from the link (internal)

  /** @internal An output frame for this channel. */
  handleOutput(offset: number, payload: Uint8Array): void {
    if (this.currentStatus === 'ended') return;
    const end = offset + payload.byteLength;
    // A replay may start before what we already have: never show a byte twice.
    if (end <= this.nextOffset) return;
    let start = offset;
    let bytes = payload;
    if (start < this.nextOffset) {
      bytes = payload.subarray(this.nextOffset - start);
      start = this.nextOffset;
    }
    if (start > this.nextOffset) this.reportLost({ from: this.nextOffset, to: start });
    this.acks.delivered(start, bytes.byteLength);
    this.nextOffset = end;
    this.deliver(() => this.dataEmitter.fire(bytes));
  }

  /** @internal The answer to our attach (or to ConsoleLink.attach): output follows from `opened.offset`. */
  handleAttached(channelId: number, opened: ConsoleOpened): void {
    this.id = channelId;
    this.attaching = false;
    this.lastRefusal = undefined;
    this.resumeBackoff.reset();
    this.clearTimers();
    if (opened.lost && opened.lost.to > opened.lost.from) this.reportLost(opened.lost);
    else if (opened.offset > this.nextOffset) this.reportLost({ from: this.nextOffset, to: opened.offset });
    this.nextOffset = Math.max(this.nextOffset, opened.offset);
    this.setStatus('open');
    if (this.closeRequested) this.host.sendControl({ type: 'close', channel: channelId });
    if (this.pendingSize) {
      this.host.sendControl({ type: 'resize', channel: channelId, ...this.pendingSize });
      this.pendingSize = undefined;
    }
    this.resendLostInput(channelId, opened.inputOffset);
    const input = this.pendingInput;
    this.pendingInput = [];
    this.pendingInputBytes = 0;
    for (const bytes of input) this.write(bytes);
    this.sendAckIfDue();
  }

  /**
   * Input sent on a link that then died may never have reached the agent:
   * send again what lies beyond the agent's count, then count as it does.
   */
  private resendLostInput(channelId: number, agentInputOffset: number | undefined): void {
    if (agentInputOffset === undefined) return;
    const lost = this.sent.since(agentInputOffset) ?? [];
    this.sent.rebase(agentInputOffset);
    for (const bytes of lost) this.send(channelId, bytes);
  }

  /** @internal The attach was refused. */
  handleAttachRefused(code: ErrorCode, message: string): void {
    this.attaching = false;
    this.lastRefusal = { code, message };
    if (isPermanentRefusal(code)) this.end({ code, message });
    else this.scheduleRetry();
  }

  /** @internal The session's process ended. */
  handleExit(exit: Exit): void {
    if (this.currentStatus === 'ended') return;
    if (exit.offset > this.nextOffset) {
      this.reportLost({ from: this.nextOffset, to: exit.offset });
      this.nextOffset = exit.offset;
    }
    this.id = undefined;
    const event: ExitEvent = { code: exit.code, signal: exit.signal };
    if (exit.reason) event.reason = exit.reason;
    this.deliver(() => this.exitEmitter.fire(event));
    this.end(undefined);
  }

  /** @internal The broker released the channel without an exit. */
  handleClosed(code: ErrorCode, message: string, resumable: boolean): void {
    if (this.currentStatus === 'ended') return;
    this.id = undefined;
    if (!resumable) return this.end({ code, message });
    this.lastRefusal = { code, message };
    this.beginResume();
    // Not at once: the agent just went away, give it the backoff's time.
    this.scheduleRetry();
  }

  /** @internal The link dropped; it will call linkUp() after its next welcome. */
  linkDown(): void {
    if (this.currentStatus === 'ended') return;
    this.id = undefined;
    this.attaching = false;
    this.host.timers.clearTimeout(this.retryTimer);
    this.beginResume();
  }

  /** @internal The link is connected again. */
  linkUp(): void {
    if (this.currentStatus !== 'resuming' || this.attaching) return;
    this.host.timers.clearTimeout(this.retryTimer);
    this.tryAttach();
  }

  /** @internal The link closed for good. */
  linkClosed(event: ClosedEvent): void {
    if (this.currentStatus === 'ended') return;
    this.id = undefined;
    this.end(event);
  }

  // ------------------------------------------------------------ internals

  private beginResume(): void {
    if (this.currentStatus === 'resuming') return;
    this.setStatus('resuming');
    this.giveUpTimer = this.host.timers.setTimeout(() => this.giveUp(), this.host.resumeGiveUpMs);
  }

  private tryAttach(): void {
    if (this.currentStatus !== 'resuming' || this.attaching || !this.host.isConnected()) return;
    this.attaching = true;
    this.host.requestReattach(this);
  }

  private scheduleRetry(): void {
    this.host.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.host.timers.setTimeout(() => this.tryAttach(), this.resumeBackoff.next());
  }

  private giveUp(): void {
    const why = this.lastRefusal ? `: ${this.lastRefusal.message}` : '';
    this.end({
      code: this.lastRefusal?.code ?? 'RESUME_EXPIRED',
      message: `could not resume the session within ${formatDuration(this.host.resumeGiveUpMs)}${why}`,
    });
  }

  /** Ends the channel; `closed` set means it ended without an exit and onClosed fires. */
  private end(closed: ClosedEvent | undefined): void {
    if (this.currentStatus === 'ended') return;
    this.clearTimers();
    this.pendingInput = [];
    this.pendingInputBytes = 0;
    this.host.forget(this);
    this.id = undefined;
    if (closed) this.deliver(() => this.closedEmitter.fire(closed));
    this.setStatus('ended');
  }

  private setStatus(status: ChannelStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    this.deliver(() => this.statusEmitter.fire(status));
  }

  private reportLost(event: LostEvent): void {
    this.deliver(() => this.lostEmitter.fire(event));
  }

  private sendAckIfDue(): void {
    const offset = this.acks.due();
    if (offset === undefined || this.currentStatus !== 'open' || this.id === undefined) return;
    if (this.host.sendControl({ type: 'ack', channel: this.id, offset })) this.acks.acked(offset);
  }

  private clearTimers(): void {
    this.host.timers.clearTimeout(this.retryTimer);
    this.host.timers.clearTimeout(this.giveUpTimer);
    this.retryTimer = undefined;
    this.giveUpTimer = undefined;
  }

  private deliver(fire: () => void): void {
    if (this.held) this.held.push(fire);
    else fire();
  }

  private listen<T>(emitter: Emitter<T>, listener: Listener<T>): Disposable {
    const disposable = emitter.event(listener);
    if (this.held && !this.flushScheduled) {
      this.flushScheduled = true;
      void Promise.resolve().then(() => {
        const held = this.held ?? [];
        this.held = undefined;
        for (const fire of held) fire();
      });
    }
    return disposable;
  }
}

function clamp(value: number, max: number): number {
  if (!Number.isFinite(value)) return 1;
  return Math.min(max, Math.max(1, Math.floor(value)));
}
