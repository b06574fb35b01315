import { ACK_BATCH_BYTES } from '../protocol';

/**
 * Tracks which output bytes the consumer has really consumed, to acknowledge
 * them in batches: when ACK_BATCH_BYTES are unacknowledged, or when
 * everything delivered has been consumed (the consumer fell idle).
 *
 * Offsets may jump (bytes lost before a re-attach), so delivered output is
 * kept as ranges, and consumed byte counts are applied to them in order.
 */
export class AckTracker {
  /** Delivered, not yet consumed, in stream order. */
  private readonly pending: Array<{ start: number; end: number }> = [];
  private consumedTo: number;
  private ackedTo: number;

  constructor(offset: number) {
    this.consumedTo = offset;
    this.ackedTo = offset;
  }

  /** Output [start, start + length) was handed to the consumer. */
  delivered(start: number, length: number): void {
    if (length <= 0) return;
    const last = this.pending[this.pending.length - 1];
    if (last && last.end === start) last.end += length;
    else this.pending.push({ start, end: start + length });
  }

  /** The consumer finished with `count` more bytes. Counts past what was delivered are ignored. */
  consumed(count: number): void {
    let rest = Math.max(0, Math.floor(count));
    while (rest > 0 && this.pending.length > 0) {
      const head = this.pending[0]!;
      const take = Math.min(rest, head.end - head.start);
      head.start += take;
      rest -= take;
      this.consumedTo = head.start;
      if (head.start === head.end) this.pending.shift();
    }
  }

  /** The offset to acknowledge now, or undefined when no ack is due. */
  due(): number | undefined {
    const unacknowledged = this.consumedTo - this.ackedTo;
    if (unacknowledged <= 0) return undefined;
    if (unacknowledged >= ACK_BATCH_BYTES || this.pending.length === 0) return this.consumedTo;
    return undefined;
  }

  /** Call once the ack for `offset` was sent. */
  acked(offset: number): void {
    this.ackedTo = Math.max(this.ackedTo, offset);
  }

  /** Bytes delivered and not yet consumed. */
  get unconsumed(): number {
    return this.pending.reduce((sum, range) => sum + range.end - range.start, 0);
  }
}
