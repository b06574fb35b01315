/**
 * The last `capacity` bytes of a byte stream, addressed by stream offset:
 * the agent's replay buffer of a session's output, and the console's record
 * of the input it sent. Chunks are kept as given (no copy on append) and
 * dropped from the front; the first kept chunk may be cut (a view, not a
 * copy) so the total stays within capacity.
 *
 * Small appends are the exception to "no copy": slow output (a spinner)
 * arrives a few bytes per read, and an array element plus a Buffer per byte
 * costs over a hundred times the byte. They are copied into shared blocks
 * instead, the last chunk being a view of the current block that grows
 * while the block has room.
 *
 * One exception to the bound: bytes at or after `keepFrom` (for output, the
 * consumer's acknowledged offset) are never dropped. Flow control already
 * limits them to the high watermark plus one frame, except for the few KiB
 * the kernel still held when the process exited, which are read regardless.
 */
/** Appends below this size are copied into a block. */
const SMALL_CHUNK_BYTES = 1024;
/** The size of a block of small appends (smaller for a tail that holds less). */
const BLOCK_BYTES = 64 * 1024;

export class StreamTail {
  private readonly chunks: Uint8Array[] = [];
  private bytes = 0;
  private startOffset = 0;
  /** The block small appends go to, and how much of it is used. */
  private block: Uint8Array | undefined;
  private blockUsed = 0;
  /** Whether the last chunk is a view of `block` ending at `blockUsed` (and may grow). */
  private lastInBlock = false;
  private readonly blockBytes: number;

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError(`a stream tail's capacity must be positive, not ${capacity}`);
    this.blockBytes = Math.min(BLOCK_BYTES, Math.max(SMALL_CHUNK_BYTES, capacity));
  }

  /** Chunks held now (tests check that small appends are packed). */
  get chunkCount(): number {
    return this.chunks.length;
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
    if (chunk.byteLength < SMALL_CHUNK_BYTES) this.pack(chunk);
    else {
      this.chunks.push(chunk);
      this.lastInBlock = false;
    }
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
    this.lastInBlock = false;
  }

  /** Copies a small chunk into the current block, growing the last chunk when it is that block's view. */
  private pack(chunk: Uint8Array): void {
    if (!this.block || this.blockUsed + chunk.byteLength > this.block.byteLength) {
      this.block = new Uint8Array(this.blockBytes);
      this.blockUsed = 0;
      this.lastInBlock = false;
    }
    const block = this.block;
    block.set(chunk, this.blockUsed);
    const last = this.chunks.length - 1;
    if (this.lastInBlock && last >= 0) {
      // Views handed out by from() keep their length: only bytes past them are written.
      const begin = this.chunks[last]!.byteOffset - block.byteOffset;
      this.chunks[last] = block.subarray(begin, this.blockUsed + chunk.byteLength);
    } else {
      this.chunks.push(block.subarray(this.blockUsed, this.blockUsed + chunk.byteLength));
      this.lastInBlock = true;
    }
    this.blockUsed += chunk.byteLength;
  }

  private trim(keepFrom: number): void {
    while (this.bytes > this.capacity) {
      const first = this.chunks[0]!;
      const droppable = Math.min(this.bytes - this.capacity, keepFrom - this.startOffset);
      if (droppable <= 0) return;
      if (first.byteLength <= droppable) {
        this.chunks.shift();
        if (this.chunks.length === 0) this.lastInBlock = false;
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
