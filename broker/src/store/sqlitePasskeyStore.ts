import type Database from 'better-sqlite3';
import { err, ok, type Result } from '../../../common/result';
import type {
  ChallengePurpose,
  NewPasskey,
  PasskeyRecord,
  PasskeyStore,
  RemovePasskeyOutcome,
  TakeChallengeRefusal,
  WebAuthnChallenge,
} from '../auth/passkeys/passkeyStore';

interface ChallengeRow {
  challenge: string;
  purpose: ChallengePurpose;
  user_id: string | null;
  created_at: number;
  expires_at: number;
}

interface PasskeyRow {
  id: string;
  user_id: string;
  name: string;
  public_key: Buffer;
  counter: number;
  transports: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

/** A transports column that is not a JSON array of strings reads as none: they are only a hint to the browser. */
function parseTransports(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

const toChallenge = (row: ChallengeRow): WebAuthnChallenge => ({
  challenge: row.challenge,
  purpose: row.purpose,
  userId: row.user_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

const toPasskey = (row: PasskeyRow): PasskeyRecord => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  // A copy on a plain ArrayBuffer: the WebAuthn library's types want one, not a pooled Buffer.
  publicKey: new Uint8Array(row.public_key),
  counter: row.counter,
  transports: parseTransports(row.transports),
  backedUp: row.backed_up === 1,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

/** The passkey tables of the SQLite store (migration 4): issued challenges and registered passkeys. */
export class SqlitePasskeyStore implements PasskeyStore {
  constructor(private readonly db: Database.Database) {}

  putWebAuthnChallenge(challenge: WebAuthnChallenge): void {
    this.db
      .prepare(
        `INSERT INTO webauthn_challenges (challenge, purpose, user_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(challenge.challenge, challenge.purpose, challenge.userId, challenge.createdAt, challenge.expiresAt);
  }

  takeWebAuthnChallenge(challenge: string, now: number): Result<WebAuthnChallenge, TakeChallengeRefusal> {
    // One statement: of two requests carrying the same challenge, only one gets the row back.
    const row = this.db.prepare('DELETE FROM webauthn_challenges WHERE challenge = ? RETURNING *').get(challenge) as
      ChallengeRow | undefined;
    if (!row) return err('CHALLENGE_UNKNOWN');
    if (now >= row.expires_at) return err('CHALLENGE_EXPIRED');
    return ok(toChallenge(row));
  }

  pruneWebAuthnChallenges(now: number): number {
    return this.db.prepare('DELETE FROM webauthn_challenges WHERE expires_at <= ?').run(now).changes;
  }

  addPasskey(passkey: NewPasskey): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO passkeys (id, user_id, name, public_key, counter, transports, backed_up, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(
        passkey.id,
        passkey.userId,
        passkey.name,
        Buffer.from(passkey.publicKey),
        passkey.counter,
        JSON.stringify(passkey.transports),
        passkey.backedUp ? 1 : 0,
        passkey.createdAt,
      );
    return result.changes === 1;
  }

  findPasskey(credentialId: string): PasskeyRecord | undefined {
    const row = this.db.prepare('SELECT * FROM passkeys WHERE id = ?').get(credentialId) as PasskeyRow | undefined;
    return row && toPasskey(row);
  }

  listPasskeys(userId: string): PasskeyRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM passkeys WHERE user_id = ? ORDER BY created_at, rowid')
      .all(userId) as PasskeyRow[];
    return rows.map(toPasskey);
  }

  renamePasskey(userId: string, credentialId: string, name: string): boolean {
    return (
      this.db.prepare('UPDATE passkeys SET name = ? WHERE id = ? AND user_id = ?').run(name, credentialId, userId)
        .changes === 1
    );
  }

  removePasskey(userId: string, credentialId: string, allowLast: boolean): RemovePasskeyOutcome {
    // The count and the delete in one statement: two removals racing for a user's last two passkeys leave one.
    const removed = this.db
      .prepare(
        `DELETE FROM passkeys WHERE id = ? AND user_id = ?
           AND (? = 1 OR (SELECT COUNT(*) FROM passkeys WHERE user_id = ?) > 1)`,
      )
      .run(credentialId, userId, allowLast ? 1 : 0, userId).changes;
    if (removed === 1) return 'removed';
    const exists = this.db.prepare('SELECT 1 FROM passkeys WHERE id = ? AND user_id = ?').get(credentialId, userId);
    return exists ? 'last' : 'unknown';
  }

  recordPasskeyUse(credentialId: string, counter: number, backedUp: boolean, now: number): boolean {
    // The counter check sits in the WHERE clause so it holds against a concurrent use of the same passkey.
    return (
      this.db
        .prepare(
          `UPDATE passkeys SET counter = ?, backed_up = ?, last_used_at = ?
           WHERE id = ? AND (? > counter OR (? = 0 AND counter = 0))`,
        )
        .run(counter, backedUp ? 1 : 0, now, credentialId, counter, counter).changes === 1
    );
  }
}
