import type Database from 'better-sqlite3';
import { err, ok, type Result } from '../../../common/result';
import { readLabelsColumn } from './jsonColumns';
import type { AgentInfo, EnrollInput, EnrollRefusal, Machine, MachineCertificate, MachineSummary } from './store';

interface MachineRow {
  id: string;
  name: string;
  labels: string;
  os: string;
  arch: string;
  hostname: string;
  agent_version: string;
  online: number;
  last_seen: number | null;
  created_at: number;
  revoked_at: number | null;
}

interface CertificateRow {
  serial: string;
  machine_id: string;
  ca_pin: string;
  not_before: number;
  not_after: number;
  issued_at: number;
}

interface EnrollTokenRow {
  name: string;
  labels: string;
  expires_at: number;
  used_at: number | null;
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function toMachine(row: MachineRow): Machine {
  return {
    id: row.id,
    name: row.name,
    labels: readLabelsColumn(row.labels),
    os: row.os,
    arch: row.arch,
    hostname: row.hostname,
    agentVersion: row.agent_version,
    online: row.online === 1,
    lastSeen: row.last_seen,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function toCertificate(row: CertificateRow): MachineCertificate {
  return {
    serial: row.serial,
    machineId: row.machine_id,
    caPin: row.ca_pin,
    notBefore: row.not_before,
    notAfter: row.not_after,
    issuedAt: row.issued_at,
  };
}

/** Machines, their enrolment and their certificates: the machine half of SqliteStore. */
export class SqliteMachineStore {
  constructor(private readonly db: Database.Database) {}

  checkEnrollToken(tokenHash: string, requestedName: string | undefined, now: number): Result<void, EnrollRefusal> {
    const token = this.db.prepare('SELECT * FROM enroll_tokens WHERE hash = ?').get(tokenHash) as
      EnrollTokenRow | undefined;
    if (!token) return err('ENROLL_TOKEN_UNKNOWN');
    if (token.used_at !== null) return err('ENROLL_TOKEN_USED');
    if (token.expires_at <= now) return err('ENROLL_TOKEN_EXPIRED');
    if (requestedName !== undefined && requestedName !== token.name) return err('ENROLL_NAME_MISMATCH');
    if (this.findByName(token.name)) return err('MACHINE_NAME_TAKEN');
    return ok(undefined);
  }

  enroll(input: EnrollInput): Result<Machine, EnrollRefusal> {
    return this.db.transaction((): Result<Machine, EnrollRefusal> => {
      const checked = this.checkEnrollToken(input.tokenHash, input.requestedName, input.now);
      if (!checked.ok) return checked;
      const token = this.db
        .prepare('SELECT * FROM enroll_tokens WHERE hash = ?')
        .get(input.tokenHash) as EnrollTokenRow;
      this.db
        .prepare(
          `INSERT INTO machines (id, name, labels, os, arch, hostname, agent_version, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.machineId,
          token.name,
          token.labels,
          input.os,
          input.arch,
          input.hostname,
          input.agentVersion,
          input.now,
        );
      this.recordCertificate({ ...input.certificate, machineId: input.machineId });
      this.db
        .prepare('UPDATE enroll_tokens SET used_at = ?, machine_id = ? WHERE hash = ?')
        .run(input.now, input.machineId, input.tokenHash);
      return ok(this.findById(input.machineId)!);
    })();
  }

  findByName(name: string): Machine | undefined {
    const row = this.db.prepare('SELECT * FROM machines WHERE name = ? AND revoked_at IS NULL').get(name) as
      MachineRow | undefined;
    return row && toMachine(row);
  }

  findById(id: string): Machine | undefined {
    const row = this.db.prepare('SELECT * FROM machines WHERE id = ?').get(id) as MachineRow | undefined;
    return row && toMachine(row);
  }

  list(): MachineSummary[] {
    const rows = this.db
      .prepare(
        `SELECT m.*, (SELECT COUNT(*) FROM sessions s WHERE s.machine_id = m.id AND s.ended_at IS NULL) AS open_sessions
         FROM machines m WHERE m.revoked_at IS NULL ORDER BY m.name`,
      )
      .all() as Array<MachineRow & { open_sessions: number }>;
    return rows.map((row) => {
      const { id, name, labels, os, arch, hostname, online } = toMachine(row);
      return {
        id,
        name,
        labels,
        os,
        arch,
        hostname,
        online,
        lastSeen: iso(row.last_seen),
        sessions: row.open_sessions,
      };
    });
  }

  revoke(name: string, now: number): Machine | undefined {
    return this.db.transaction(() => {
      const machine = this.findByName(name);
      if (!machine) return undefined;
      this.db.prepare('UPDATE machines SET revoked_at = ?, online = 0 WHERE id = ?').run(now, machine.id);
      return this.findById(machine.id);
    })();
  }

  recordCertificate(certificate: MachineCertificate): void {
    this.db
      .prepare(
        `INSERT INTO machine_certificates (serial, machine_id, ca_pin, not_before, not_after, issued_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        certificate.serial,
        certificate.machineId,
        certificate.caPin,
        certificate.notBefore,
        certificate.notAfter,
        certificate.issuedAt,
      );
  }

  findCertificate(serial: string): MachineCertificate | undefined {
    const row = this.db.prepare('SELECT * FROM machine_certificates WHERE serial = ?').get(serial) as
      CertificateRow | undefined;
    return row && toCertificate(row);
  }

  countByCa(): Array<{ caPin: string; machines: number }> {
    return this.db
      .prepare(
        `SELECT c.ca_pin AS caPin, COUNT(*) AS machines FROM machines m
         JOIN machine_certificates c ON c.serial = (
           SELECT serial FROM machine_certificates WHERE machine_id = m.id ORDER BY issued_at DESC, rowid DESC LIMIT 1)
         WHERE m.revoked_at IS NULL GROUP BY c.ca_pin ORDER BY machines DESC`,
      )
      .all() as Array<{ caPin: string; machines: number }>;
  }

  markOnline(id: string, info: AgentInfo, now: number): void {
    this.db
      .prepare(
        'UPDATE machines SET online = 1, last_seen = ?, hostname = ?, os = ?, arch = ?, agent_version = ? WHERE id = ?',
      )
      .run(now, info.hostname, info.os, info.arch, info.agentVersion, id);
  }

  markOffline(id: string, now: number): void {
    this.db.prepare('UPDATE machines SET online = 0, last_seen = ? WHERE id = ?').run(now, id);
  }

  markAllOffline(now: number): void {
    this.db.prepare('UPDATE machines SET online = 0, last_seen = ? WHERE online = 1').run(now);
  }
}
