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
  // 4: operators (issue 4): users and their invitations, passkeys, TOTP, sign-in sessions, one-time terminal
  // tokens, access policies; API tokens become bound to a user with explicit scopes.
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    -- The operator identity in sessions and the audit log; unique among enabled users.
    name TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
  );
  CREATE UNIQUE INDEX users_live_name ON users(name) WHERE disabled_at IS NULL;
  -- One-time registration links: the first admin's (created_by NULL) and admins' invitations.
  CREATE TABLE invitations (
    hash TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
    name TEXT,
    created_by TEXT REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    user_id TEXT REFERENCES users(id)
  );
  CREATE TABLE passkeys (
    -- The WebAuthn credential id, base64url.
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    public_key BLOB NOT NULL,
    counter INTEGER NOT NULL DEFAULT 0,
    transports TEXT NOT NULL DEFAULT '[]',
    backed_up INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
  );
  CREATE INDEX passkeys_user ON passkeys(user_id);
  -- Single use (deleted when consumed) and short-lived. No foreign key on user_id: a registration
  -- challenge names the user its invitation will create.
  CREATE TABLE webauthn_challenges (
    challenge TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign-in', 'step-up')),
    user_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE totp (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    -- AES-256-GCM with the key in <data>/secrets/, never the plain secret.
    secret_encrypted TEXT NOT NULL,
    confirmed_at INTEGER,
    -- The newest time step accepted: a code is never accepted twice.
    last_step INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
  );
  CREATE TABLE recovery_codes (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
  CREATE TABLE signin_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    -- The current refresh secret's hash; rotated at every refresh. The one before it is kept: presenting
    -- it again means a copy exists, and the session is revoked.
    refresh_hash TEXT NOT NULL UNIQUE,
    previous_refresh_hash TEXT,
    -- The current short-lived access token's hash and end.
    access_hash TEXT NOT NULL UNIQUE,
    access_expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- The newest passkey or TOTP check in this session: the step-up window starts here.
    verified_at INTEGER NOT NULL,
    revoked_at INTEGER,
    user_agent TEXT NOT NULL DEFAULT '',
    remote TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX signin_sessions_user ON signin_sessions(user_id);
  CREATE TABLE terminal_tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    signin_session_id TEXT NOT NULL REFERENCES signin_sessions(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    login_user TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    spent_at INTEGER
  );
  -- Who may open shells where, as whom: subjects (JSON ["role:operator", "user:alice"]) on machines
  -- matching every label of selector (JSON object) as any of login_users (JSON array).
  CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    subjects TEXT NOT NULL,
    selector TEXT NOT NULL DEFAULT '{}',
    login_users TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  ALTER TABLE api_tokens ADD COLUMN user_id TEXT REFERENCES users(id);
  ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '["shell","exec","read"]';
  `,
];
