/** A user's TOTP enrolment as stored: the secret only ever sealed (see SecretBox). */
export interface TotpRecord {
  userId: string;
  /** `SecretBox.seal(base32 secret, totpSecretContext(userId))`. */
  secretEncrypted: string;
  /** Null while enrolment waits for the first code. */
  confirmedAt: number | null;
  /** The newest time step accepted; codes of this step or older are refused. */
  lastStep: number | null;
  /** Consecutive failed checks since the last success or lock. */
  failures: number;
  lockedUntil: number | null;
}

export interface TotpConfirmation {
  /** The sealed secret the code was checked against: a secret replaced meanwhile is not confirmed. */
  secretEncrypted: string;
  step: number;
  now: number;
  /** SHA-256 (hex) of each normalised recovery code; replaces the user's previous codes. */
  recoveryCodeHashes: readonly string[];
}

/**
 * What TotpService needs from the store. Synchronous like the rest of the
 * Store; every method that decides a race (a step or a code used twice at
 * once) does it in one statement or transaction, never by read-then-write in
 * the caller.
 */
export interface TotpStore {
  getTotp(userId: string): TotpRecord | undefined;

  /**
   * Stores a new, unconfirmed secret, replacing the user's row: the last step
   * is forgotten (it belonged to the old secret); failures and a lock are kept,
   * so re-enrolling is no way around a lock. Recovery codes stay until the new
   * secret is confirmed.
   */
  putPendingTotp(userId: string, secretEncrypted: string): void;

  /**
   * Marks the pending secret confirmed at `step`, resets failures and replaces
   * the recovery codes, atomically. False (and nothing changed) when there is no
   * pending row with that secret, or it is locked at `now`.
   */
  confirmTotp(userId: string, confirmation: TotpConfirmation): boolean;

  /**
   * Records `step` as used and resets failures, only when the enrolment is
   * confirmed, not locked at `now`, and `step` is newer than the last one.
   * False means another check won, or the code is a replay: refuse it.
   */
  acceptTotpStep(userId: string, step: number, now: number): boolean;

  /** Adds one failure atomically; the new count (0 when the user has no TOTP row). */
  addTotpFailure(userId: string): number;

  /** Locks checks until `until` and starts the failure count again. */
  lockTotp(userId: string, until: number): void;

  /** Clears failures and any lock (after a recovery code proved the user). */
  resetTotpFailures(userId: string): void;

  /** Deletes the enrolment and all recovery codes; false when there was no enrolment. */
  deleteTotp(userId: string): boolean;

  /** Replaces all of the user's recovery codes with these hashes. */
  replaceRecoveryCodes(userId: string, hashes: readonly string[], now: number): void;

  /** Marks the code used; false when it is unknown, another user's, or already used. Atomic: one use wins. */
  consumeRecoveryCode(userId: string, hash: string, now: number): boolean;

  countUnusedRecoveryCodes(userId: string): number;
}
