import type Database from 'better-sqlite3';
import { TOKEN_SCOPES } from './store';
import type { Result } from '../../../common/result';
import type { SessionMode } from '../../../common/protocol';
import type {
  AgentInfo,
  ApiTokenRecord,
  AuditCheckpoint,
  AuditEvent,
  AuditHead,
  EnrollInput,
  EnrollRefusal,
  EnrollTokenRecord,
  Machine,
  MachineCertificate,
  MachineSummary,
  NewAuditEvent,
  NewSession,
  Role,
  SessionEnd,
  SessionRecord,
  SessionSummary,
  Store,
} from './store';
import { readStringListColumn } from './jsonColumns';
import { SqliteAuditStore } from './sqliteAuditStore';
import { iso, SqliteMachineStore } from './sqliteMachineStore';
import { SqlitePasskeyStore } from './sqlitePasskeyStore';
import { SqlitePolicyStore } from './sqlitePolicyStore';
import { SqliteTerminalTokenStore } from './sqliteTerminalTokenStore';
import { SqliteTotpStore } from './sqliteTotpStore';
import { SqliteUserStore } from './sqliteUserStore';
import { SqliteSigninSessionStore } from './sqliteSigninSessionStore';
import type { AccessPolicy } from '../auth/accessPolicy';

interface ApiTokenRow {
  id: string;
  name: string;
  hash: string;
  role: Role;
  scopes: string;
  user_id: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

interface SessionRow {
  id: string;
  operator: string;
  machine_id: string;
  machine_name: string;
  login_user: string | null;
  mode: SessionMode;
  command: string | null;
  started_at: number;
  ended_at: number | null;
  exit_code: number | null;
  exit_signal: string | null;
  end_reason: string | null;
  bytes_in: number;
  bytes_out: number;
}

function toApiToken(row: ApiTokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    hash: row.hash,
    role: row.role,
    scopes: TOKEN_SCOPES.filter((scope) => readStringListColumn(row.scopes).includes(scope)),
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

const SESSION_SELECT = `
  SELECT s.*, m.name AS machine_name FROM sessions s JOIN machines m ON m.id = s.machine_id`;

/** The embedded default Store: one SQLite file, see openSqliteStore. */
export class SqliteStore implements Store {
  private closed = false;
  private readonly audit: SqliteAuditStore;
  private readonly machines: SqliteMachineStore;
  private readonly policies: SqlitePolicyStore;
  readonly users: SqliteUserStore;
  readonly signinSessions: SqliteSigninSessionStore;
  readonly terminalTokens: SqliteTerminalTokenStore;
  readonly totp: SqliteTotpStore;
  readonly passkeys: SqlitePasskeyStore;

  constructor(readonly db: Database.Database) {
    this.audit = new SqliteAuditStore(db);
    this.machines = new SqliteMachineStore(db);
    this.policies = new SqlitePolicyStore(db);
    this.users = new SqliteUserStore(db);
    this.signinSessions = new SqliteSigninSessionStore(db);
    this.terminalTokens = new SqliteTerminalTokenStore(db);
    this.totp = new SqliteTotpStore(db);
    this.passkeys = new SqlitePasskeyStore(db);
  }

  checkEnrollToken(tokenHash: string, requestedName: string | undefined, now: number): Result<void, EnrollRefusal> {
    return this.machines.checkEnrollToken(tokenHash, requestedName, now);
  }

  enroll(input: EnrollInput): Result<Machine, EnrollRefusal> {
    return this.machines.enroll(input);
  }

  findMachineByName(name: string): Machine | undefined {
    return this.machines.findByName(name);
  }

  findMachineById(id: string): Machine | undefined {
    return this.machines.findById(id);
  }

  listMachines(): MachineSummary[] {
    return this.machines.list();
  }

  revokeMachine(name: string, now: number): Machine | undefined {
    return this.machines.revoke(name, now);
  }

  recordMachineCertificate(certificate: MachineCertificate): void {
    this.machines.recordCertificate(certificate);
  }

  findMachineCertificate(serial: string): MachineCertificate | undefined {
    return this.machines.findCertificate(serial);
  }

  countMachinesByCa(): Array<{ caPin: string; machines: number }> {
    return this.machines.countByCa();
  }

  markMachineOnline(id: string, info: AgentInfo, now: number): void {
    this.machines.markOnline(id, info, now);
  }

  markMachineOffline(id: string, now: number): void {
    this.machines.markOffline(id, now);
  }

  markAllMachinesOffline(now: number): void {
    this.machines.markAllOffline(now);
  }

  createEnrollToken(token: EnrollTokenRecord): void {
    this.db
      .prepare('INSERT INTO enroll_tokens (hash, name, labels, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(token.hash, token.name, JSON.stringify(token.labels), token.createdAt, token.expiresAt);
  }

  createApiToken(token: ApiTokenRecord): void {
    this.db
      .prepare(
        `INSERT INTO api_tokens (id, name, hash, role, scopes, user_id, created_at, expires_at, revoked_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        token.id,
        token.name,
        token.hash,
        token.role,
        JSON.stringify(token.scopes),
        token.userId,
        token.createdAt,
        token.expiresAt,
        token.revokedAt,
        token.lastUsedAt,
      );
  }

  findApiTokenByHash(hash: string): ApiTokenRecord | undefined {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE hash = ?').get(hash) as ApiTokenRow | undefined;
    return row && toApiToken(row);
  }

  findApiTokenById(id: string): ApiTokenRecord | undefined {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as ApiTokenRow | undefined;
    return row && toApiToken(row);
  }

  touchApiToken(id: string, now: number): void {
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  listApiTokens(): ApiTokenRecord[] {
    const rows = this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at, id').all() as ApiTokenRow[];
    return rows.map(toApiToken);
  }

  revokeApiTokens(idOrName: string, now: number): number {
    return this.db
      .prepare('UPDATE api_tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL')
      .run(now, idOrName, idOrName).changes;
  }

  listPolicies(): AccessPolicy[] {
    return this.policies.list();
  }

  addPolicy(policy: AccessPolicy): boolean {
    return this.policies.add(policy);
  }

  removePolicy(name: string): boolean {
    return this.policies.remove(name);
  }

  insertSession(session: NewSession): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id, operator, machine_id, login_user, mode, command, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        session.id,
        session.operator,
        session.machineId,
        session.loginUser,
        session.mode,
        session.command,
        session.startedAt,
      );
  }

  deleteSession(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
  }

  setSessionLoginUser(id: string, loginUser: string): void {
    this.db.prepare('UPDATE sessions SET login_user = ? WHERE id = ?').run(loginUser, id);
  }

  addSessionBytes(id: string, bytesIn: number, bytesOut: number): void {
    if (bytesIn === 0 && bytesOut === 0) return;
    this.db
      .prepare('UPDATE sessions SET bytes_in = bytes_in + ?, bytes_out = bytes_out + ? WHERE id = ?')
      .run(bytesIn, bytesOut, id);
  }

  endSession(id: string, end: SessionEnd): boolean {
    return (
      this.db
        .prepare(
          `UPDATE sessions SET ended_at = ?, exit_code = ?, exit_signal = ?, end_reason = ?
         WHERE id = ? AND ended_at IS NULL`,
        )
        .run(end.endedAt, end.exitCode, end.exitSignal, end.endReason, id).changes > 0
    );
  }

  findSession(id: string): SessionRecord | undefined {
    const row = this.db.prepare(`${SESSION_SELECT} WHERE s.id = ?`).get(id) as SessionRow | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      operator: row.operator,
      machineId: row.machine_id,
      loginUser: row.login_user,
      mode: row.mode,
      command: row.command,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      exitCode: row.exit_code,
      exitSignal: row.exit_signal,
      endReason: row.end_reason,
      bytesIn: row.bytes_in,
      bytesOut: row.bytes_out,
    };
  }

  openSessionIds(machineId: string): string[] {
    const rows = this.db
      .prepare('SELECT id FROM sessions WHERE machine_id = ? AND ended_at IS NULL')
      .all(machineId) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  listSessions(limit: number): SessionSummary[] {
    const rows = this.db
      .prepare(`${SESSION_SELECT} ORDER BY s.started_at DESC, s.rowid DESC LIMIT ?`)
      .all(limit) as SessionRow[];
    return rows.map((row) => ({
      id: row.id,
      operator: row.operator,
      machine: row.machine_name,
      loginUser: row.login_user,
      mode: row.mode,
      startedAt: new Date(row.started_at).toISOString(),
      endedAt: iso(row.ended_at),
      exitCode: row.exit_code,
      exitSignal: row.exit_signal,
      endReason: row.end_reason,
      bytesIn: row.bytes_in,
      bytesOut: row.bytes_out,
    }));
  }

  appendAuditEvent(event: NewAuditEvent): AuditEvent {
    return this.audit.append(event);
  }

  listAuditEvents(fromSeq: number, limit: number): AuditEvent[] {
    return this.audit.list(fromSeq, limit);
  }

  auditHead(): AuditHead | undefined {
    return this.audit.head();
  }

  addAuditCheckpoint(checkpoint: AuditCheckpoint): void {
    this.audit.addCheckpoint(checkpoint);
  }

  latestAuditCheckpoint(): AuditCheckpoint | undefined {
    return this.audit.latestCheckpoint();
  }

  listAuditCheckpoints(): AuditCheckpoint[] {
    return this.audit.listCheckpoints();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  externalChangeCounter(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
