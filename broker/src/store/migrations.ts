/**
 * Numbered schema migrations. Migration n (1-based) takes a database from
 * `PRAGMA user_version = n - 1` to `n`; each runs in its own transaction, so
 * a failed step leaves the database at the previous version. Never edit a
 * released step: append a new one.
 *
 * Times are INTEGER milliseconds since the epoch (UTC); labels are JSON text.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: machines, enrolment tokens, API tokens, sessions.
  `
  CREATE TABLE machines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    labels TEXT NOT NULL DEFAULT '{}',
    os TEXT NOT NULL DEFAULT '',
    arch TEXT NOT NULL DEFAULT '',
    hostname TEXT NOT NULL DEFAULT '',
    agent_version TEXT NOT NULL DEFAULT '',
    credential_hash TEXT NOT NULL UNIQUE,
    online INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE enroll_tokens (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    machine_id TEXT REFERENCES machines(id)
  );
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER,
    last_used_at INTEGER
  );
  CREATE INDEX api_tokens_name ON api_tokens(name);
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    operator TEXT NOT NULL,
    machine_id TEXT NOT NULL REFERENCES machines(id),
    login_user TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('shell', 'exec')),
    command TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    exit_code INTEGER,
    exit_signal TEXT,
    end_reason TEXT,
    bytes_in INTEGER NOT NULL DEFAULT 0,
    bytes_out INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sessions_started ON sessions(started_at DESC);
  CREATE INDEX sessions_open ON sessions(machine_id) WHERE ended_at IS NULL;
  `,
  // 2: the hash-chained audit log (see docs/AUDIT.md). Rows are only ever inserted.
  `
  CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor TEXT,
    target TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  -- One row: the newest entry. The next entry chains from here, not from the
  -- newest row, so rows deleted from the end leave a gap and a mismatch here.
  CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
  );
  -- Ed25519 signatures over {seq, hash}, by the key in <data>/audit/checkpoint.key.
  CREATE TABLE audit_checkpoints (
    seq INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    at INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
  );
  `,
  // 3: machines prove who they are with certificates (issue 3): the bearer credential goes, a revoked
  // machine's name may be enrolled again, and every certificate issued to a machine is recorded.
  `
  CREATE TABLE machines_v3 (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    os TEXT NOT NULL DEFAULT '',
    arch TEXT NOT NULL DEFAULT '',
    hostname TEXT NOT NULL DEFAULT '',
    agent_version TEXT NOT NULL DEFAULT '',
    online INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  INSERT INTO machines_v3 (id, name, labels, os, arch, hostname, agent_version, online, last_seen, created_at, revoked_at)
    SELECT id, name, labels, os, arch, hostname, agent_version, online, last_seen, created_at, revoked_at FROM machines;
  DROP TABLE machines;
  ALTER TABLE machines_v3 RENAME TO machines;
  CREATE UNIQUE INDEX machines_live_name ON machines(name) WHERE revoked_at IS NULL;
  CREATE TABLE machine_certificates (
    serial TEXT PRIMARY KEY,
    machine_id TEXT NOT NULL REFERENCES machines(id),
    -- The SPKI pin of the root CA the certificate chains to: which CA generation a machine is on.
    ca_pin TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    issued_at INTEGER NOT NULL
  );
  CREATE INDEX machine_certificates_machine ON machine_certificates(machine_id, issued_at DESC);
  `,
];
