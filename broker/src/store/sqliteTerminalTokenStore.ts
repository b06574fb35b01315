import type Database from 'better-sqlite3';
import type { RedeemOutcome, TerminalTokenRecord, TerminalTokenStore } from '../auth/terminal/terminalTokenStore';

interface Row {
  hash: string;
  user_id: string;
  signin_session_id: string;
  machine_id: string;
  login_user: string | null;
  created_at: number;
  expires_at: number;
  spent_at: number | null;
}

/** One-time terminal tokens over the migration-4 table. */
export class SqliteTerminalTokenStore implements TerminalTokenStore {
  constructor(private readonly db: Database.Database) {}

  addTerminalToken(t: TerminalTokenRecord): void {
    this.db
      .prepare(
        `INSERT INTO terminal_tokens (hash, user_id, signin_session_id, machine_id, login_user, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.hash, t.userId, t.signinSessionId, t.machineId, t.loginUser, t.createdAt, t.expiresAt);
  }

  findTerminalToken(hash: string): TerminalTokenRecord | undefined {
    const row = this.db.prepare('SELECT * FROM terminal_tokens WHERE hash = ?').get(hash) as Row | undefined;
    return (
      row && {
        hash: row.hash,
        userId: row.user_id,
        signinSessionId: row.signin_session_id,
        machineId: row.machine_id,
        loginUser: row.login_user,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        spentAt: row.spent_at,
      }
    );
  }

  spendTerminalToken(hash: string, now: number): RedeemOutcome {
    const spent = this.db
      .prepare('UPDATE terminal_tokens SET spent_at = ? WHERE hash = ? AND spent_at IS NULL AND expires_at > ?')
      .run(now, hash, now);
    if (spent.changes > 0) return 'spent';
    const token = this.findTerminalToken(hash);
    if (!token) return 'unknown';
    return token.spentAt !== null ? 'used' : 'expired';
  }
}
