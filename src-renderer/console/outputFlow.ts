import type { Timers } from '../../common/client';
import { ACK_BATCH_BYTES, FLOW_HIGH_WATERMARK_BYTES } from '../../common/protocol';

/**
 * Parsed bytes are reported at the latest this long after xterm parsed them.
 * One frame: acks stay frequent enough that the agent (which resumes a paused
 * PTY below 256 KiB unacknowledged) never waits on us, and a flood costs one
 * consumed() call per frame rather than one per write. A timer rather than
 * requestAnimationFrame: rAF stops in a hidden tab, and a background tab's
 * shell must not stall (xterm keeps parsing there on timers too).
 */
export const REPORT_DELAY_MS = 16;

/** ...or at once when this many parsed bytes wait: the channel's own ack batch. */
export const REPORT_BATCH_BYTES = ACK_BATCH_BYTES;

/**
 * Output the terminal may hold unparsed before we drop instead of queueing.
 * A peer that honours flow control never sends more than the high watermark
 * (1 MiB) unacknowledged, so this only trips on one that ignores acks; xterm
 * itself throws past 50 MB. Dropped bytes are reported as a notice.
 */
export const MAX_UNPARSED_BYTES = 8 * FLOW_HIGH_WATERMARK_BYTES;

/**
 * Output is handed to xterm in pieces of at most this size. xterm yields to
 * the page between writes (after 12 ms of work), never inside one, and `yes`
 * output (a line feed every 2 bytes, each copying a blank line) parsed at
 * ~0.3 ms per KiB on a loaded 2-core machine: a 64 KiB frame is a 20 ms
 * step, 8 KiB pieces a few ms. Subarrays, no copies; xterm keeps UTF-8
 * state across writes.
 */
export const WRITE_PIECE_BYTES = 8 * 1024;

export interface OutputSink {
  write(data: Uint8Array, parsed: () => void): void;
}

/**
 * Feeds a channel's output into the terminal and reports bytes as consumed
 * only once the terminal has parsed them (VS Code's flow control: acknowledge
 * in xterm's write callback, in batches). While the terminal is behind, no
 * report goes out, so the agent pauses the PTY after FLOW_HIGH_WATERMARK_BYTES
 * and the page holds at most that much unparsed output per pane.
 */
export class OutputFlow {
  /** Handed to the sink, parse callback not yet run. */
  private unparsedBytes = 0;
  /** Parsed, not yet reported. */
  private parsedBytes = 0;
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly sink: OutputSink,
    /** Receives consumed byte counts (TerminalChannel.consumed). */
    private readonly report: (byteCount: number) => void,
    private readonly timers: Timers,
    /** Called with the byte count of output dropped because the terminal fell MAX_UNPARSED_BYTES behind. */
    private readonly dropped: (byteCount: number) => void = () => {},
  ) {}

  /** Bytes written to the terminal and not parsed yet. */
  get unparsed(): number {
    return this.unparsedBytes;
  }

  push(data: Uint8Array): void {
    const length = data.byteLength;
    if (this.disposed || length === 0) return;
    if (this.unparsedBytes + length > MAX_UNPARSED_BYTES) {
      // Gone for good: count it as consumed so offsets and acks stay true.
      this.dropped(length);
      this.parsedBytes += length;
      this.scheduleReport();
      return;
    }
    this.unparsedBytes += length;
    for (let at = 0; at < length; at += WRITE_PIECE_BYTES) {
      const piece = data.subarray(at, Math.min(length, at + WRITE_PIECE_BYTES));
      // unparsedBytes counted before write(): xterm may parse (and call back) synchronously after user input.
      this.sink.write(piece, () => this.onParsed(piece.byteLength));
    }
  }

  /** Reports what was parsed now (e.g. before the channel goes away). */
  flush(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed || this.parsedBytes === 0) return;
    const count = this.parsedBytes;
    this.parsedBytes = 0;
    this.report(count);
  }

  /** Later parse callbacks are ignored; nothing more is reported. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onParsed(length: number): void {
    if (this.disposed) return;
    this.unparsedBytes -= length;
    this.parsedBytes += length;
    // Caught up: report now, so the channel's "consumer is idle" ack goes out
    // at once (an echo must not wait a frame for its ack).
    if (this.unparsedBytes === 0 || this.parsedBytes >= REPORT_BATCH_BYTES) this.flush();
    else this.scheduleReport();
  }

  private scheduleReport(): void {
    if (this.timer !== undefined) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, REPORT_DELAY_MS);
  }
}
