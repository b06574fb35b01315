import type { Labels } from '../../../common/labels';
import type { AccessPolicy } from '../auth/accessPolicy';
import type { PasskeyStore } from '../auth/passkeys/passkeyStore';
import type { TotpStore } from '../auth/totp/totpStore';
import type { UserStore } from '../auth/users/userStore';
import type { TerminalTokenStore } from '../auth/terminal/terminalTokenStore';
import type { SigninSessionStore } from '../auth/signin/signinSessionStore';
import type { Result } from '../../../common/result';
import type { SessionMode } from '../../../common/protocol';
import type { MachineSummary } from '../../../common/httpApi';

/**
 * The broker's persistent state, behind an interface so that another engine
 * (PostgreSQL for a scaled-out broker) can replace SQLite. Methods are
 * synchronous because the embedded engine is; the relay keeps what it needs
 * on the data path in memory and only writes here at session boundaries, so
 * an asynchronous engine can later sit behind a write-behind queue.
 * Times are milliseconds since the epoch.
 */
export interface Store {
  // ------------------------------------------------------------ machines
  /** Whether an enrolment token would be accepted now, without spending it (to refuse early and cheaply). */
  checkEnrollToken(tokenHash: string, requestedName: string | undefined, now: number): Result<void, EnrollRefusal>;
  /**
   * Spends an enrolment token, creates the machine it names and records its
   * first certificate, atomically; refused as checkEnrollToken says.
   */
  enroll(input: EnrollInput): Result<Machine, EnrollRefusal>;
  /** The live (unrevoked) machine with this name. */
  findMachineByName(name: string): Machine | undefined;
  /** The machine with this id, revoked or not. */
  findMachineById(id: string): Machine | undefined;
  listMachines(): MachineSummary[];
  /** Revokes the live machine with this name; undefined when there is none. */
  revokeMachine(name: string, now: number): Machine | undefined;
  recordMachineCertificate(certificate: MachineCertificate): void;
  findMachineCertificate(serial: string): MachineCertificate | undefined;
  /** Live machines by the CA root their newest certificate chains to (for `ca status` during a rotation). */
  countMachinesByCa(): Array<{ caPin: string; machines: number }>;
  /** Records a machine's agent as connected, with what its hello said. */
  markMachineOnline(id: string, info: AgentInfo, now: number): void;
  markMachineOffline(id: string, now: number): void;
  /** At start-up no agent is connected yet, whatever the last run left behind. */
  markAllMachinesOffline(now: number): void;

  // ------------------------------------------------------------ tokens
  createEnrollToken(token: EnrollTokenRecord): void;
  createApiToken(token: ApiTokenRecord): void;
  findApiTokenByHash(hash: string): ApiTokenRecord | undefined;
  findApiTokenById(id: string): ApiTokenRecord | undefined;
  touchApiToken(id: string, now: number): void;
  listApiTokens(): ApiTokenRecord[];
  /** Revokes the token with this id, or every live token with this name. Returns how many. */
  revokeApiTokens(idOrName: string, now: number): number;

  // ------------------------------------------------------------ access policies
  /** By name. */
  listPolicies(): AccessPolicy[];
  /** False when a policy has that name already. */
  addPolicy(policy: AccessPolicy): boolean;
  /** False when no policy has that name. */
  removePolicy(name: string): boolean;

  // ------------------------------------------------------------ sessions
  insertSession(session: NewSession): void;
  /** Forgets a session that never started (the agent refused it). */
  deleteSession(id: string): void;
  setSessionLoginUser(id: string, loginUser: string): void;
  addSessionBytes(id: string, bytesIn: number, bytesOut: number): void;
  /** Ends a session once; later calls for an ended session change nothing. Returns whether this call ended it. */
  endSession(id: string, end: SessionEnd): boolean;
  findSession(id: string): SessionRecord | undefined;
  openSessionIds(machineId: string): string[];
  /** Newest first. */
  listSessions(limit: number): SessionSummary[];

  // ------------------------------------------------------------ audit (append-only)
  /**
   * Appends one entry in one transaction: seq and prev_hash come from the
   * audit head, hash = SHA-256(prev_hash || canonical JSON of the entry).
   */
  appendAuditEvent(event: NewAuditEvent): AuditEvent;
  /** Entries with seq >= fromSeq, oldest first. */
  listAuditEvents(fromSeq: number, limit: number): AuditEvent[];
  /** The newest entry's seq and hash as recorded at append time; undefined before the first. */
  auditHead(): AuditHead | undefined;
  /** Keeps the first checkpoint written for a seq (two processes may sign the same head). */
  addAuditCheckpoint(checkpoint: AuditCheckpoint): void;

  // ------------------------------------------------------------ operators
  /** Users and their one-time registration links (see auth/users). */
  readonly users: UserStore;
  /** Sign-in sessions: access and refresh secrets, step-up times (see auth/signin). */
  readonly signinSessions: SigninSessionStore;
  /** One-time terminal tokens (see auth/terminal). */
  readonly terminalTokens: TerminalTokenStore;
  /** TOTP secrets, steps and recovery codes (see auth/totp). */
  readonly totp: TotpStore;
  /** Passkeys and single-use WebAuthn challenges (see auth/passkeys). */
  readonly passkeys: PasskeyStore;

  /** Runs `fn` atomically: everything it writes, or (when it throws) nothing. */
  transaction<T>(fn: () => T): T;

  // ------------------------------------------------------------ changes
  /**
   * A number that changes whenever another process (a CLI command) commits
   * to the store: the broker polls it to act on revocations at once.
   */
  externalChangeCounter(): number;
  latestAuditCheckpoint(): AuditCheckpoint | undefined;
  /** Oldest first. */
  listAuditCheckpoints(): AuditCheckpoint[];

  close(): void;
}

export interface NewAuditEvent {
  at: number;
  type: string;
  /** Who did it: an operator name, `cli:<os user>`, or null when nobody authenticated. */
  actor: string | null;
  /** What it was done to: a machine, token or session, or null. */
  target: string | null;
  detail: Record<string, unknown>;
}

export interface AuditEvent extends NewAuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditCheckpoint extends AuditHead {
  at: number;
  /** First 16 hex characters of SHA-256 over the public key (SPKI DER). */
  keyId: string;
  /** Base64 Ed25519 signature over the canonical JSON of {seq, hash}. */
  signature: string;
}

export type Role = 'admin' | 'operator' | 'auditor';
export const ROLES: readonly Role[] = ['admin', 'operator', 'auditor'];

export interface Machine {
  id: string;
  name: string;
  labels: Labels;
  os: string;
  arch: string;
  hostname: string;
  agentVersion: string;
  online: boolean;
  lastSeen: number | null;
  createdAt: number;
  revokedAt: number | null;
}

export type { MachineSummary };

export interface AgentInfo {
  hostname: string;
  os: string;
  arch: string;
  agentVersion: string;
}

export interface EnrollInput extends AgentInfo {
  tokenHash: string;
  /** The name the agent asked for; refused when the token names another. */
  requestedName?: string;
  machineId: string;
  /** The certificate signed for the new machine (its machineId is `machineId`). */
  certificate: MachineCertificate;
  now: number;
}

export type EnrollRefusal =
  'ENROLL_TOKEN_UNKNOWN' | 'ENROLL_TOKEN_USED' | 'ENROLL_TOKEN_EXPIRED' | 'ENROLL_NAME_MISMATCH' | 'MACHINE_NAME_TAKEN';

/** A client certificate issued to a machine. */
export interface MachineCertificate {
  /** Hex, lower case, as in the certificate. */
  serial: string;
  machineId: string;
  /** The SPKI pin of the root CA it chains to. */
  caPin: string;
  notBefore: number;
  notAfter: number;
  issuedAt: number;
}

export interface EnrollTokenRecord {
  hash: string;
  name: string;
  labels: Labels;
  createdAt: number;
  expiresAt: number;
}

/** What an API token may do: open shells, run exec sessions, list machines and sessions. */
export type TokenScope = 'shell' | 'exec' | 'read';
export const TOKEN_SCOPES: readonly TokenScope[] = ['shell', 'exec', 'read'];

export interface ApiTokenRecord {
  id: string;
  name: string;
  hash: string;
  role: Role;
  scopes: TokenScope[];
  /** The user it acts for (disabling the user revokes it); null for a service account. */
  userId: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface NewSession {
  id: string;
  operator: string;
  machineId: string;
  loginUser: string | null;
  mode: SessionMode;
  command: string | null;
  startedAt: number;
}

export interface SessionEnd {
  endedAt: number;
  exitCode: number | null;
  exitSignal: string | null;
  /** An error-catalog code when the session did not end by its own exit. */
  endReason: string | null;
}

export interface SessionRecord extends NewSession {
  endedAt: number | null;
  exitCode: number | null;
  exitSignal: string | null;
  endReason: string | null;
  bytesIn: number;
  bytesOut: number;
}

/** The shape of `GET /api/v1/sessions` and `fleetterm-broker sessions --json`. */
export interface SessionSummary {
  id: string;
  operator: string;
  machine: string;
  loginUser: string | null;
  mode: SessionMode;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  exitSignal: string | null;
  endReason: string | null;
  bytesIn: number;
  bytesOut: number;
}
