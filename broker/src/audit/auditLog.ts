import { userInfo } from 'node:os';
import type { Logger } from '../../../node-common/logger';
import type { Store } from '../store/store';
import type { CheckpointKey } from './checkpointKey';

export { verifyAuditChain, verifyStoredAuditChain, type ChainVerdict } from './verifyAuditChain';

/** Every event type the broker records; docs/AUDIT.md lists the fields of each. */
export const AUDIT_EVENT_TYPES = [
  'machine.enrolled',
  'machine.enroll_refused',
  'machine.certificate_renewed',
  'machine.renewal_refused',
  'machine.revoked',
  'ca.rotated',
  'ca.retired',
  'policy.added',
  'policy.removed',
  'user.invited',
  'user.registered',
  'user.register_refused',
  'user.disabled',
  'signin.succeeded',
  'signin.refused',
  'signin.ended',
  'signin.revoked',
  'signin.ended_everywhere',
  'totp.enrolled',
  'recovery.used',
  'recovery.regenerated',
  'passkey.added',
  'passkey.renamed',
  'passkey.removed',
  'cli.authorized',
  'stepup.succeeded',
  'stepup.refused',
  'terminal_token.minted',
  'terminal_token.spent',
  'terminal_token.refused',
  'token.created',
  'token.revoked',
  'link.refused',
  'session.opened',
  'session.refused',
  'session.attached',
  'session.ended',
  'session.broadcast',
  'access.denied',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditFields {
  actor?: string | null;
  target?: string | null;
  /** Facts only: never terminal bytes or secrets. */
  detail?: Record<string, unknown>;
}

export interface AuditLogOptions {
  store: Store;
  log: Logger;
  now?: () => number;
  /** Without a key no checkpoints are written (a broker on a caller's store, without a data directory). */
  checkpointKey?: CheckpointKey;
  /** A checkpoint is signed once the head is this many entries past the last one. */
  checkpointEvery?: number;
}

/** Entries between signed checkpoints: bounds what rows cut from the end can hide to this many. */
export const DEFAULT_CHECKPOINT_EVERY = 100;

/** The actor of CLI commands run on the broker's host: whoever holds the data directory. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * Appends to the store's hash-chained audit log. Recording never throws into
 * the caller: a failed write is logged as a warning and the request goes on,
 * because an audit failure must not take a terminal session down with it.
 */
export class AuditLog {
  private readonly now: () => number;
  private readonly every: number;
  private closed = false;

  constructor(private readonly options: AuditLogOptions) {
    this.now = options.now ?? Date.now;
    this.every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  }

  record(type: AuditEventType, fields: AuditFields = {}): void {
    if (this.closed) return;
    try {
      const event = this.options.store.appendAuditEvent({
        at: this.now(),
        type,
        actor: fields.actor ?? null,
        target: fields.target ?? null,
        detail: fields.detail ?? {},
      });
      const last = this.options.store.latestAuditCheckpoint()?.seq ?? 0;
      if (event.seq - last >= this.every) this.checkpoint();
    } catch (error) {
      this.options.log.warn(
        { err: error instanceof Error ? error.message : String(error), type },
        'audit write failed',
      );
    }
  }

  /** Signs the current head unless it is already signed (or there is no key). Never throws. */
  checkpoint(): void {
    const { store, checkpointKey } = this.options;
    if (!checkpointKey) return;
    try {
      const head = store.auditHead();
      if (!head || (store.latestAuditCheckpoint()?.seq ?? 0) >= head.seq) return;
      store.addAuditCheckpoint(checkpointKey.sign(head, this.now()));
    } catch (error) {
      this.options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'audit checkpoint failed');
    }
  }

  /** Signs a last checkpoint; call before closing the store. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.checkpoint();
    this.closed = true;
  }
}
