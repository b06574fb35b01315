/**
 * Input a channel has sent, counted from the session's first input byte,
 * with the last `keep` bytes retained. After a re-attach the agent says how
 * much input it has received (`opened.inputOffset`); what was sent beyond
 * that was lost with the old link and is sent again, so keys typed while a
 * link was silently dying still arrive, once and in order.
 */
export class SentInput {
  private chunks: Uint8Array[] = [];
  private kept = 0;
  private count = 0;

  constructor(private readonly keep: number) {}

  /** Input bytes sent so far, as the agent counts them. */
  get total(): number {
    return this.count;
  }

  record(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    // Copy: callers may reuse their buffer.
    this.chunks.push(bytes.slice());
    this.kept += bytes.byteLength;
    this.count += bytes.byteLength;
    while (this.kept - (this.chunks[0]?.byteLength ?? 0) >= this.keep) this.kept -= this.chunks.shift()!.byteLength;
  }

  /**
   * The bytes sent after `offset`, or undefined when they are not all kept
   * (or `offset` is not one of ours: another console typed in between).
   */
  since(offset: number): Uint8Array[] | undefined {
    if (offset > this.count || offset < this.count - this.kept) return undefined;
    let skip = offset - (this.count - this.kept);
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

  /** Takes the agent's count as ours (after a re-attach); the kept history no longer lines up. */
  rebase(total: number): void {
    this.chunks = [];
    this.kept = 0;
    this.count = total;
  }
}
