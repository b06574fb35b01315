import type Database from 'better-sqlite3';
import type { RotatedSecrets, SigninSessionRecord, SigninSessionStore } from '../auth/signin/signinSessionStore';

interface Row {
  id: string;
  user_id: string;
  refresh_hash: string;
  previous_refresh_hash: string | null;
  access_hash: string;
  access_expires_at: number;
  created_at: number;
  expires_at: number;
  verified_at: number;
  revoked_at: number | null;
  user_agent: string;
  remote: string;
}

const toRecord = (row: Row): SigninSessionRecord => ({
  id: row.id,
  userId: row.user_id,
  refreshHash: row.refresh_hash,
  previousRefreshHash: row.previous_refresh_hash,
  accessHash: row.access_hash,
  accessExpiresAt: row.access_expires_at,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  verifiedAt: row.verified_at,
  revokedAt: row.revoked_at,
  userAgent: row.user_agent,
  remote: row.remote,
});

/** Sign-in sessions over the migration-4 table. */
export class SqliteSigninSessionStore implements SigninSessionStore {
  constructor(private readonly db: Database.Database) {}

  addSigninSession(s: SigninSessionRecord): void {
    this.db
      .prepare(
        `INSERT INTO signin_sessions (id, user_id, refresh_hash, previous_refresh_hash, access_hash, access_expires_at,
           created_at, expires_at, verified_at, revoked_at, user_agent, remote)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.id,
        s.userId,
        s.refreshHash,
        s.previousRefreshHash,
        s.accessHash,
        s.accessExpiresAt,
        s.createdAt,
        s.expiresAt,
        s.verifiedAt,
        s.revokedAt,
        s.userAgent,
        s.remote,
      );
  }

  findSigninSessionByAccess(accessHash: string): SigninSessionRecord | undefined {
    return this.one('SELECT * FROM signin_sessions WHERE access_hash = ?', accessHash);
  }

  findSigninSessionByRefresh(refreshHash: string): SigninSessionRecord | undefined {
    return this.one(
      'SELECT * FROM signin_sessions WHERE refresh_hash = ? OR previous_refresh_hash = ?',
      refreshHash,
      refreshHash,
    );
  }

  findSigninSession(id: string): SigninSessionRecord | undefined {
    return this.one('SELECT * FROM signin_sessions WHERE id = ?', id);
  }

  rotateSigninSession(id: string, presentedRefreshHash: string, next: RotatedSecrets): boolean {
    return (
      this.db
        .prepare(
          `UPDATE signin_sessions SET previous_refresh_hash = refresh_hash, refresh_hash = ?, access_hash = ?,
             access_expires_at = ?
           WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL`,
        )
        .run(next.refreshHash, next.accessHash, next.accessExpiresAt, id, presentedRefreshHash).changes > 0
    );
  }

  markSigninVerified(id: string, at: number): void {
    this.db.prepare('UPDATE signin_sessions SET verified_at = ? WHERE id = ?').run(at, id);
  }

  revokeSigninSession(id: string, at: number): boolean {
    return (
      this.db.prepare('UPDATE signin_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
        .changes > 0
    );
  }

  revokeUserSigninSessions(userId: string, at: number): number {
    return this.db
      .prepare('UPDATE signin_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
      .run(at, userId).changes;
  }

  private one(sql: string, ...params: string[]): SigninSessionRecord | undefined {
    const row = this.db.prepare(sql).get(...params) as Row | undefined;
    return row && toRecord(row);
  }
}
