import { FLOW_HIGH_WATERMARK_BYTES, FLOW_LOW_WATERMARK_BYTES } from '../../common/protocol';

/** What flow control pauses: the PTY's read side, so the writing process blocks in the kernel. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/**
 * End-to-end flow control for one session's output: the PTY pauses when
 * produced − acknowledged passes the high watermark and resumes below the
 * low one. "Produced" counts every byte that entered the session's output
 * stream, sent or not, so a session with no console attached also pauses
 * once its unacknowledged output fills the window, and the replay buffer
 * (larger than the window) loses nothing.
 */
export class FlowControl {
  private producedOffset = 0;
  private ackedOffset = 0;
  private paused = false;
  private released = false;

  constructor(
    private readonly target: Pausable,
    private readonly highWatermark = FLOW_HIGH_WATERMARK_BYTES,
    private readonly lowWatermark = FLOW_LOW_WATERMARK_BYTES,
  ) {
    if (lowWatermark > highWatermark) throw new RangeError('the low watermark must not exceed the high one');
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Every byte below this offset has been consumed. */
  get acknowledged(): number {
    return this.ackedOffset;
  }

  get unacknowledged(): number {
    return this.producedOffset - this.ackedOffset;
  }

  /** The output stream now ends at `offset`. */
  produced(offset: number): void {
    this.producedOffset = Math.max(this.producedOffset, offset);
    this.update();
  }

  /** The consumer has every byte below `offset`. Offsets past the output are clamped; older ones ignored. */
  ack(offset: number): void {
    this.ackedOffset = Math.max(this.ackedOffset, Math.min(offset, this.producedOffset));
    this.update();
  }

  /** A new consumer starts at `offset`: what it has not acknowledged is counted from there. */
  restartAt(offset: number): void {
    this.ackedOffset = Math.min(Math.max(0, offset), this.producedOffset);
    this.update();
  }

  /**
   * The process is gone: nothing is left to hold back, so the PTY is resumed
   * for good and its last bytes can be read.
   */
  release(): void {
    this.released = true;
    this.update();
  }

  private update(): void {
    const pending = this.producedOffset - this.ackedOffset;
    if (!this.paused && !this.released && pending > this.highWatermark) {
      this.paused = true;
      this.target.pause();
    } else if (this.paused && (this.released || pending < this.lowWatermark)) {
      this.paused = false;
      this.target.resume();
    }
  }
}
