import type Database from 'better-sqlite3';
import { auditEntryHash, canonicalJson, GENESIS_HASH } from '../audit/auditHash';
import type { AuditCheckpoint, AuditEvent, AuditHead, NewAuditEvent } from './store';

interface AuditEventRow {
  seq: number;
  at: number;
  type: string;
  actor: string | null;
  target: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

interface AuditCheckpointRow {
  seq: number;
  hash: string;
  at: number;
  key_id: string;
  signature: string;
}

/** A detail that is not a JSON object reads as one that says so, so the hash check (not a crash) reports it. */
function parseDetail(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return { unparsable: text };
  }
}

const toAuditEvent = (row: AuditEventRow): AuditEvent => ({
  seq: row.seq,
  at: row.at,
  type: row.type,
  actor: row.actor,
  target: row.target,
  detail: parseDetail(row.detail),
  prevHash: row.prev_hash,
  hash: row.hash,
});

const toAuditCheckpoint = (row: AuditCheckpointRow): AuditCheckpoint => ({
  seq: row.seq,
  hash: row.hash,
  at: row.at,
  keyId: row.key_id,
  signature: row.signature,
});

/** The audit tables of the SQLite store: the hash chain, its head and its signed checkpoints. */
export class SqliteAuditStore {
  constructor(private readonly db: Database.Database) {}

  append(event: NewAuditEvent): AuditEvent {
    // IMMEDIATE: take the write lock before reading the head, so `serve` and a CLI command never fork the chain.
    return this.db
      .transaction((): AuditEvent => {
        const head = this.head();
        const seq = (head?.seq ?? 0) + 1;
        const prevHash = head?.hash ?? GENESIS_HASH;
        const detail = JSON.parse(canonicalJson(event.detail)) as Record<string, unknown>;
        const entry = { seq, at: event.at, type: event.type, actor: event.actor, target: event.target, detail };
        const hash = auditEntryHash(prevHash, entry);
        this.db
          .prepare(
            `INSERT INTO audit_events (seq, at, type, actor, target, detail, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(seq, entry.at, entry.type, entry.actor, entry.target, canonicalJson(detail), prevHash, hash);
        this.db
          .prepare(
            'INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = ?, hash = ?',
          )
          .run(seq, hash, seq, hash);
        return { ...entry, prevHash, hash };
      })
      .immediate();
  }

  list(fromSeq: number, limit: number): AuditEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?')
      .all(fromSeq, limit) as AuditEventRow[];
    return rows.map(toAuditEvent);
  }

  head(): AuditHead | undefined {
    return this.db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as AuditHead | undefined;
  }

  addCheckpoint(checkpoint: AuditCheckpoint): void {
    this.db
      .prepare('INSERT OR IGNORE INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)')
      .run(checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.keyId, checkpoint.signature);
  }

  latestCheckpoint(): AuditCheckpoint | undefined {
    const row = this.db.prepare('SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').get() as
      AuditCheckpointRow | undefined;
    return row && toAuditCheckpoint(row);
  }

  listCheckpoints(): AuditCheckpoint[] {
    const rows = this.db.prepare('SELECT * FROM audit_checkpoints ORDER BY seq').all() as AuditCheckpointRow[];
    return rows.map(toAuditCheckpoint);
  }
}
