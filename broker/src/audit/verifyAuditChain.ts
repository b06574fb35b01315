import type { AuditCheckpoint, AuditEvent, AuditHead, Store } from '../store/store';
import { auditEntryHash, GENESIS_HASH } from './auditHash';

/**
 * Why an entry is bad. `edited`: its hash does not match its content;
 * `deleted`: its seq is missing; `reordered`: it does not chain from the
 * entry before it (moved, or an earlier entry was edited and rehashed);
 * `truncated`: the chain ends before a head or checkpoint that was recorded;
 * `checkpoint`: a checkpoint's signature does not verify.
 */
export type AuditBreak = 'edited' | 'deleted' | 'reordered' | 'truncated' | 'checkpoint';

export interface ChainIntact {
  ok: true;
  events: number;
  lastSeq: number;
  lastHash: string;
  /** The newest checkpoint the chain reaches, or null when none was written. */
  checkpointSeq: number | null;
}

export interface ChainBroken {
  ok: false;
  /** The first bad entry. */
  seq: number;
  reason: AuditBreak;
  message: string;
}

export type ChainVerdict = ChainIntact | ChainBroken;

/** What the chain is checked against besides itself. */
export interface ChainAnchors {
  /** The head the store recorded at append time (catches rows cut from the end). */
  head?: AuditHead;
  checkpoints?: readonly AuditCheckpoint[];
  /** Verifies checkpoint signatures; required when there are checkpoints. */
  key?: { verify(checkpoint: AuditCheckpoint): boolean };
}

const broken = (seq: number, reason: AuditBreak, message: string): ChainBroken => ({ ok: false, seq, reason, message });

/** Checks entries one by one as they are read (oldest first), so a long log need not fit in memory. */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private failure: ChainBroken | undefined;
  /** The hash the chain has at each checkpoint's seq, once read. */
  private readonly atCheckpoint = new Map<number, string>();
  private readonly checkpoints: AuditCheckpoint[];

  constructor(private readonly anchors: ChainAnchors = {}) {
    this.checkpoints = [...(anchors.checkpoints ?? [])].sort((a, b) => a.seq - b.seq);
    for (const checkpoint of this.checkpoints) this.atCheckpoint.set(checkpoint.seq, '');
  }

  /** Returns the first failure once there is one; later entries are not looked at. */
  push(event: AuditEvent): ChainBroken | undefined {
    if (this.failure) return this.failure;
    this.failure = this.check(event);
    if (this.failure) return this.failure;
    if (this.atCheckpoint.has(event.seq)) this.atCheckpoint.set(event.seq, event.hash);
    this.expectedSeq = event.seq + 1;
    this.prevHash = event.hash;
    this.count++;
    return undefined;
  }

  private check(event: AuditEvent): ChainBroken | undefined {
    const previous = this.expectedSeq - 1;
    if (event.seq < this.expectedSeq) {
      return broken(event.seq, 'reordered', `entry ${event.seq} comes after entry ${previous}; seqs must increase`);
    }
    if (event.seq > this.expectedSeq) {
      const missing =
        event.seq - 1 === this.expectedSeq ? `${this.expectedSeq}` : `${this.expectedSeq}-${event.seq - 1}`;
      return broken(
        this.expectedSeq,
        'deleted',
        `entry ${missing} is missing: the chain jumps from ${previous} to ${event.seq}`,
      );
    }
    if (event.prevHash !== this.prevHash) {
      return broken(
        event.seq,
        'reordered',
        `entry ${event.seq} does not chain from entry ${previous} (prev_hash differs): entries were reordered, ` +
          `or one before it was edited and rehashed`,
      );
    }
    if (auditEntryHash(event.prevHash, event) !== event.hash) {
      return broken(event.seq, 'edited', `entry ${event.seq} was edited: its hash does not match its content`);
    }
    return undefined;
  }

  finish(): ChainVerdict {
    if (this.failure) return this.failure;
    const lastSeq = this.expectedSeq - 1;
    const after = lastSeq + 1;
    let reached: number | null = null;
    for (const checkpoint of this.checkpoints) {
      if (!this.anchors.key) {
        return broken(
          checkpoint.seq,
          'checkpoint',
          'the checkpoint key is missing, so checkpoint signatures cannot be checked',
        );
      }
      if (!this.anchors.key.verify(checkpoint)) {
        return broken(checkpoint.seq, 'checkpoint', `the checkpoint at entry ${checkpoint.seq} has a bad signature`);
      }
      if (checkpoint.seq > lastSeq) {
        return broken(
          after,
          'truncated',
          `the chain ends at entry ${lastSeq}, but a checkpoint signed it up to ${checkpoint.seq}`,
        );
      }
      if (this.atCheckpoint.get(checkpoint.seq) !== checkpoint.hash) {
        return broken(checkpoint.seq, 'edited', `entry ${checkpoint.seq} differs from the one its checkpoint signed`);
      }
      reached = checkpoint.seq;
    }
    const { head } = this.anchors;
    if (head && head.seq > lastSeq) {
      return broken(
        after,
        'truncated',
        `the chain ends at entry ${lastSeq}, but the recorded head is entry ${head.seq}`,
      );
    }
    if (head && head.seq < lastSeq) {
      return broken(
        head.seq + 1,
        'edited',
        `entries after ${head.seq} (the recorded head) were added outside the broker`,
      );
    }
    if (head && head.hash !== this.prevHash) {
      return broken(head.seq, 'edited', `entry ${head.seq} differs from the recorded head`);
    }
    if (!head && lastSeq > 0) {
      return broken(after, 'truncated', 'the recorded head is missing');
    }
    return { ok: true, events: this.count, lastSeq, lastHash: this.prevHash, checkpointSeq: reached };
  }
}

/** Verifies a list of entries (oldest first) against its anchors. */
export function verifyAuditChain(events: Iterable<AuditEvent>, anchors: ChainAnchors = {}): ChainVerdict {
  const verifier = new ChainVerifier(anchors);
  for (const event of events) if (verifier.push(event)) break;
  return verifier.finish();
}

/** Entries read per query when verifying or exporting a stored log. */
export const AUDIT_PAGE_SIZE = 1000;

/** Verifies the store's whole log, page by page, against its head and checkpoints. */
export function verifyStoredAuditChain(store: Store, key: ChainAnchors['key']): ChainVerdict {
  const verifier = new ChainVerifier({ head: store.auditHead(), checkpoints: store.listAuditCheckpoints(), key });
  for (let from = 1; ;) {
    const page = store.listAuditEvents(from, AUDIT_PAGE_SIZE);
    for (const event of page) if (verifier.push(event)) return verifier.finish();
    const last = page.at(-1);
    if (!last || page.length < AUDIT_PAGE_SIZE) break;
    from = last.seq + 1;
  }
  return verifier.finish();
}
