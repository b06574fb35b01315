/** A session that floods like `yes` behind the agent's flow control. Test support only (the flood page). */
import type { ChannelStatus } from '../../../../common/client';
import { Emitter } from '../../../../common/client/emitter';
import { FLOW_HIGH_WATERMARK_BYTES, FLOW_LOW_WATERMARK_BYTES } from '../../../../common/protocol';
import type { ChannelLike } from '../../terminalLike';

/** The agent's frames stay under 64 KiB (COALESCE_MAX_BYTES). */
const FRAME_BYTES = 60 * 1024;
const BURST_FRAMES = 4;

export interface FloodStats {
  sent: number;
  consumed: number;
  maxUnacknowledged: number;
  pauses: number;
}

export class FloodChannel implements ChannelLike {
  readonly sessionId = 'flood-1';
  readonly machine = 'flood';
  readonly loginUser = 'root';
  status: ChannelStatus = 'open';
  readonly stats: FloodStats = { sent: 0, consumed: 0, maxUnacknowledged: 0, pauses: 0 };
  readonly input: string[] = [];
  private paused = false;
  private running = false;
  private readonly frame: Uint8Array;
  private readonly data = new Emitter<Uint8Array>();
  private readonly never = new Emitter<never>();
  private readonly ticker = new MessageChannel();

  /** `line`: what the flood repeats, `y\n` like `yes` by default (the worst case: a line feed every 2 bytes). */
  constructor(line = 'y\n') {
    this.frame = new TextEncoder().encode(line.repeat(Math.ceil(FRAME_BYTES / line.length)).slice(0, FRAME_BYTES));
    // A macrotask per frame, like frames arriving from a socket.
    this.ticker.port1.onmessage = () => this.pump();
  }

  get offset(): number {
    return this.stats.sent;
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  stop(): void {
    this.running = false;
  }

  /** A burst of frames per macrotask, as a socket delivers them faster than xterm parses. */
  private pump(): void {
    for (let i = 0; i < BURST_FRAMES; i++) {
      if (!this.running || this.paused) return;
      const unacknowledged = this.stats.sent - this.stats.consumed;
      if (unacknowledged >= FLOW_HIGH_WATERMARK_BYTES) {
        this.paused = true;
        this.stats.pauses += 1;
        return;
      }
      this.stats.sent += this.frame.byteLength;
      this.stats.maxUnacknowledged = Math.max(this.stats.maxUnacknowledged, this.stats.sent - this.stats.consumed);
      this.data.fire(this.frame);
    }
    this.ticker.port2.postMessage(0);
  }

  consumed(byteCount: number): void {
    this.stats.consumed += byteCount;
    if (this.paused && this.stats.sent - this.stats.consumed < FLOW_LOW_WATERMARK_BYTES) {
      this.paused = false;
      this.pump();
    }
  }

  write(data: Uint8Array | string): boolean {
    this.input.push(typeof data === 'string' ? data : new TextDecoder().decode(data));
    return true;
  }
  resize(): void {}
  close(): void {
    this.stop();
  }
  detach(): void {
    this.stop();
  }
  onData = this.data.event;
  onExit = this.never.event;
  onStatus = this.never.event;
  onLost = this.never.event;
  onClosed = this.never.event;
}
