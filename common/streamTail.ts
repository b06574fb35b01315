/**
 * The last `capacity` bytes of a byte stream, addressed by stream offset:
 * the agent's replay buffer of a session's output, and the console's record
 * of the input it sent. Chunks are kept as given (no copy on append) and
 * dropped from the front; the first kept chunk may be cut (a view, not a
 * copy) so the total stays within capacity.
 *
 * One exception to the bound: bytes at or after `keepFrom` (for output, the
 * consumer's acknowledged offset) are never dropped. Flow control already
 * limits them to the high watermark plus one frame, except for the few KiB
 * the kernel still held when the process exited, which are read regardless.
 */
export class StreamTail {
  private readonly chunks: Uint8Array[] = [];
  private bytes = 0;
  private startOffset = 0;

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError(`a stream tail's capacity must be positive, not ${capacity}`);
  }

  /** Offset of the first byte still held. */
  get start(): number {
    return this.startOffset;
  }

  /** Offset just past the last byte held: the stream's total length. */
  get end(): number {
    return this.startOffset + this.bytes;
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  append(chunk: Uint8Array, keepFrom = Number.POSITIVE_INFINITY): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    this.trim(keepFrom);
  }

  /**
   * The bytes from `offset` to the end, as views of the held chunks. An
   * offset below `start` returns from `start` (the caller reports the gap);
   * one at or past `end` returns nothing.
   */
  from(offset: number): Uint8Array[] {
    let skip = Math.max(0, offset - this.startOffset);
    const out: Uint8Array[] = [];
    for (const chunk of this.chunks) {
      if (skip >= chunk.byteLength) {
        skip -= chunk.byteLength;
        continue;
      }
      out.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    return out;
  }

  /** Forgets what is held and continues the stream at `offset`. */
  restartAt(offset: number): void {
    this.chunks.length = 0;
    this.bytes = 0;
    this.startOffset = offset;
  }

  private trim(keepFrom: number): void {
    while (this.bytes > this.capacity) {
      const first = this.chunks[0]!;
      const droppable = Math.min(this.bytes - this.capacity, keepFrom - this.startOffset);
      if (droppable <= 0) return;
      if (first.byteLength <= droppable) {
        this.chunks.shift();
        this.bytes -= first.byteLength;
        this.startOffset += first.byteLength;
      } else {
        this.chunks[0] = first.subarray(droppable);
        this.bytes -= droppable;
        this.startOffset += droppable;
      }
    }
  }
}
