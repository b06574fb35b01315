import { StreamTail } from '../streamTail';

/**
 * Input a channel has sent, counted from the session's first input byte,
 * with the last `keep` bytes retained. After a re-attach the agent says how
 * much input it has received (`opened.inputOffset`); what was sent beyond
 * that was lost with the old link and is sent again, so keys typed while a
 * link was silently dying still arrive, once and in order.
 */
export class SentInput {
  private readonly tail: StreamTail;

  constructor(keep: number) {
    this.tail = new StreamTail(keep);
  }

  /** Input bytes sent so far, as the agent counts them. */
  get total(): number {
    return this.tail.end;
  }

  record(bytes: Uint8Array): void {
    // Copy: callers may reuse their buffer.
    this.tail.append(bytes.slice());
  }

  /**
   * The bytes sent after `offset`, or undefined when they are not all kept
   * (or `offset` is not one of ours: another console typed in between).
   */
  since(offset: number): Uint8Array[] | undefined {
    if (offset > this.tail.end || offset < this.tail.start) return undefined;
    return this.tail.from(offset);
  }

  /** Takes the agent's count as ours (after a re-attach); the kept history no longer lines up. */
  rebase(total: number): void {
    this.tail.restartAt(total);
  }
}
