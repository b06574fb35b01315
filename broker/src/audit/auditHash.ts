import { createHash } from 'node:crypto';

/** The prev_hash of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers, in the order of the audit_events table. */
export interface HashedAuditFields {
  seq: number;
  at: number;
  type: string;
  actor: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}

/**
 * JSON with object keys sorted at every depth and no whitespace, so the same
 * value always gives the same bytes (whatever order the code built it in).
 * `undefined` members are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** hash = hex SHA-256 of prev_hash (64 hex characters) followed by the canonical JSON of the entry. */
export function auditEntryHash(prevHash: string, fields: HashedAuditFields): string {
  const { seq, at, type, actor, target, detail } = fields;
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson({ seq, at, type, actor, target, detail }))
    .digest('hex');
}
