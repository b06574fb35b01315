import type Database from 'better-sqlite3';
import { err, ok, type Result } from '../../../common/result';
import type { Invitation, RedeemRefusal, User, UserStore } from '../auth/users/userStore';
import type { Role } from './store';

interface UserRow {
  id: string;
  name: string;
  display_name: string;
  role: Role;
  created_at: number;
  disabled_at: number | null;
}

interface InvitationRow {
  hash: string;
  role: Role;
  name: string | null;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  displayName: row.display_name,
  role: row.role,
  createdAt: row.created_at,
  disabledAt: row.disabled_at,
});

const toInvitation = (row: InvitationRow): Invitation => ({
  hash: row.hash,
  role: row.role,
  name: row.name,
  createdBy: row.created_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
});

/** Users and invitations over the migration-4 tables. */
export class SqliteUserStore implements UserStore {
  constructor(private readonly db: Database.Database) {}

  countUsers(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  findUserById(id: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  findUserByName(name: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ? AND disabled_at IS NULL').get(name) as
      UserRow | undefined;
    return row && toUser(row);
  }

  listUsers(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name, created_at').all() as UserRow[]).map(toUser);
  }

  disableUser(name: string, now: number): User | undefined {
    return this.db.transaction(() => {
      const user = this.findUserByName(name);
      if (!user) return undefined;
      this.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(now, user.id);
      this.db
        .prepare('UPDATE signin_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
        .run(now, user.id);
      this.db
        .prepare('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
        .run(now, user.id);
      return this.findUserById(user.id);
    })();
  }

  addInvitation(invitation: Invitation): void {
    this.db
      .prepare(
        `INSERT INTO invitations (hash, role, name, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        invitation.hash,
        invitation.role,
        invitation.name,
        invitation.createdBy,
        invitation.createdAt,
        invitation.expiresAt,
      );
  }

  dropFirstAdminInvitations(): void {
    this.db.prepare('DELETE FROM invitations WHERE created_by IS NULL AND used_at IS NULL').run();
  }

  checkInvitation(hash: string, now: number): Result<Invitation, RedeemRefusal> {
    const row = this.db.prepare('SELECT * FROM invitations WHERE hash = ?').get(hash) as InvitationRow | undefined;
    if (!row) return err('INVITE_UNKNOWN');
    if (row.used_at !== null) return err('INVITE_USED');
    if (row.expires_at <= now) return err('INVITE_EXPIRED');
    if (row.name !== null && this.findUserByName(row.name)) return err('USER_NAME_TAKEN');
    return ok(toInvitation(row));
  }

  redeemInvitation(hash: string, user: Omit<User, 'role' | 'disabledAt'>): Result<User, RedeemRefusal> {
    return this.db.transaction((): Result<User, RedeemRefusal> => {
      const checked = this.checkInvitation(hash, user.createdAt);
      if (!checked.ok) return checked;
      const name = checked.value.name ?? user.name;
      if (this.findUserByName(name)) return err('USER_NAME_TAKEN');
      this.db
        .prepare('INSERT INTO users (id, name, display_name, role, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(user.id, name, user.displayName, checked.value.role, user.createdAt);
      this.db
        .prepare('UPDATE invitations SET used_at = ?, user_id = ? WHERE hash = ?')
        .run(user.createdAt, user.id, hash);
      return ok(this.findUserById(user.id)!);
    })();
  }
}
