/** A signed-in browser or client: what the store keeps (hashes only, never the secrets). */
export interface SigninSessionRecord {
  id: string;
  userId: string;
  refreshHash: string;
  previousRefreshHash: string | null;
  accessHash: string;
  accessExpiresAt: number;
  createdAt: number;
  /** The session ends here whatever is refreshed. */
  expiresAt: number;
  /** The newest passkey or TOTP check: the step-up window starts here. */
  verifiedAt: number;
  revokedAt: number | null;
  userAgent: string;
  remote: string;
}

/** What refresh rotates to. */
export interface RotatedSecrets {
  refreshHash: string;
  accessHash: string;
  accessExpiresAt: number;
}

export interface SigninSessionStore {
  addSigninSession(session: SigninSessionRecord): void;
  findSigninSessionByAccess(accessHash: string): SigninSessionRecord | undefined;
  /** By the current refresh hash or the one before it (see rotateSigninSession). */
  findSigninSessionByRefresh(refreshHash: string): SigninSessionRecord | undefined;
  findSigninSession(id: string): SigninSessionRecord | undefined;
  /**
   * Replaces the secrets if `presentedRefreshHash` is still the current one:
   * two refreshes with one secret rotate once. False when it was not.
   */
  rotateSigninSession(id: string, presentedRefreshHash: string, next: RotatedSecrets): boolean;
  markSigninVerified(id: string, at: number): void;
  /** Revokes one session; false when it was revoked already. */
  revokeSigninSession(id: string, at: number): boolean;
  /** Revokes every live session of a user; returns how many. */
  revokeUserSigninSessions(userId: string, at: number): number;
}
