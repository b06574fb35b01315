import type Database from 'better-sqlite3';
import type { TotpConfirmation, TotpRecord, TotpStore } from '../auth/totp/totpStore';

interface TotpRow {
  user_id: string;
  secret_encrypted: string;
  confirmed_at: number | null;
  last_step: number | null;
  failures: number;
  locked_until: number | null;
}

const toTotpRecord = (row: TotpRow): TotpRecord => ({
  userId: row.user_id,
  secretEncrypted: row.secret_encrypted,
  confirmedAt: row.confirmed_at,
  lastStep: row.last_step,
  failures: row.failures,
  lockedUntil: row.locked_until,
});

/** "Not locked at :now", shared by every statement that must refuse a locked user in the same step as it writes. */
const UNLOCKED = '(locked_until IS NULL OR locked_until <= :now)';

/** The TOTP tables of the SQLite store (migration 4): `totp` and `recovery_codes`. */
export class SqliteTotpStore implements TotpStore {
  constructor(private readonly db: Database.Database) {}

  getTotp(userId: string): TotpRecord | undefined {
    const row = this.db.prepare('SELECT * FROM totp WHERE user_id = ?').get(userId) as TotpRow | undefined;
    return row && toTotpRecord(row);
  }

  putPendingTotp(userId: string, secretEncrypted: string): void {
    this.db
      .prepare(
        `INSERT INTO totp (user_id, secret_encrypted) VALUES (:userId, :secret)
         ON CONFLICT (user_id) DO UPDATE SET secret_encrypted = :secret, confirmed_at = NULL, last_step = NULL`,
      )
      .run({ userId, secret: secretEncrypted });
  }

  confirmTotp(userId: string, confirmation: TotpConfirmation): boolean {
    const { secretEncrypted, step, now, recoveryCodeHashes } = confirmation;
    return this.db
      .transaction((): boolean => {
        const { changes } = this.db
          .prepare(
            `UPDATE totp SET confirmed_at = :now, last_step = :step, failures = 0
             WHERE user_id = :userId AND confirmed_at IS NULL AND secret_encrypted = :secret AND ${UNLOCKED}`,
          )
          .run({ userId, now, step, secret: secretEncrypted });
        if (changes !== 1) return false;
        this.replaceRecoveryCodes(userId, recoveryCodeHashes, now);
        return true;
      })
      .immediate();
  }

  acceptTotpStep(userId: string, step: number, now: number): boolean {
    // One statement: of two checks of the same code, only the first moves last_step past it.
    const { changes } = this.db
      .prepare(
        `UPDATE totp SET last_step = :step, failures = 0
         WHERE user_id = :userId AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < :step)
           AND ${UNLOCKED}`,
      )
      .run({ userId, step, now });
    return changes === 1;
  }

  addTotpFailure(userId: string): number {
    const row = this.db
      .prepare('UPDATE totp SET failures = failures + 1 WHERE user_id = ? RETURNING failures')
      .get(userId) as { failures: number } | undefined;
    return row?.failures ?? 0;
  }

  lockTotp(userId: string, until: number): void {
    this.db.prepare('UPDATE totp SET locked_until = ?, failures = 0 WHERE user_id = ?').run(until, userId);
  }

  resetTotpFailures(userId: string): void {
    this.db.prepare('UPDATE totp SET locked_until = NULL, failures = 0 WHERE user_id = ?').run(userId);
  }

  deleteTotp(userId: string): boolean {
    return this.db.transaction((): boolean => {
      this.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      return this.db.prepare('DELETE FROM totp WHERE user_id = ?').run(userId).changes === 1;
    })();
  }

  replaceRecoveryCodes(userId: string, hashes: readonly string[], now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      const insert = this.db.prepare('INSERT INTO recovery_codes (hash, user_id, created_at) VALUES (?, ?, ?)');
      for (const hash of hashes) insert.run(hash, userId, now);
    })();
  }

  consumeRecoveryCode(userId: string, hash: string, now: number): boolean {
    const { changes } = this.db
      .prepare('UPDATE recovery_codes SET used_at = ? WHERE hash = ? AND user_id = ? AND used_at IS NULL')
      .run(now, hash, userId);
    return changes === 1;
  }

  countUnusedRecoveryCodes(userId: string): number {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL')
      .get(userId) as { n: number };
    return row.n;
  }
}
