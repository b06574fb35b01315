import { randomUUID } from 'node:crypto';
import type { SigninTokens } from '../../../../common/httpApi';
import { err, ok, type Result } from '../../../../common/result';
import { generateSecret, hashSecret, SecretPrefix } from '../secrets';
import type { User, UserStore } from '../users/userStore';
import type { SigninSessionRecord, SigninSessionStore } from './signinSessionStore';

/** An access token is good this long; a client refreshes it with the refresh secret. */
export const ACCESS_TOKEN_TTL_MS = 15 * 60_000;
/** A sign-in lasts this long at most, however often it is refreshed: then the person signs in again. */
export const SIGNIN_SESSION_TTL_MS = 12 * 60 * 60_000;

export type { SigninTokens };

export type SigninRefusal =
  | 'SESSION_UNKNOWN' // no such token (or a malformed one)
  | 'SESSION_EXPIRED' // the access token (refresh it) or the whole sign-in (sign in again) ended
  | 'SESSION_REVOKED' // signed out, revoked by an admin, or the user was disabled
  | 'REFRESH_REUSED'; // a refresh secret presented after it was rotated: a copy exists; the session is revoked

/** A signed-in user, as the API and the console endpoint see them. */
export interface SignedIn {
  user: User;
  session: SigninSessionRecord;
}

export interface SigninSessionsOptions {
  sessions: SigninSessionStore;
  users: Pick<UserStore, 'findUserById'>;
  accessTtlMs?: number;
  sessionTtlMs?: number;
}

/**
 * Sign-in sessions: after a passkey or TOTP check, a short-lived access token
 * and a refresh secret that rotates at every use. Revoking the session (sign
 * out, an admin, a disabled user) ends both at once, because every use of an
 * access token looks its session up.
 */
export class SigninSessions {
  private readonly accessTtlMs: number;
  private readonly sessionTtlMs: number;

  constructor(private readonly options: SigninSessionsOptions) {
    this.accessTtlMs = options.accessTtlMs ?? ACCESS_TOKEN_TTL_MS;
    this.sessionTtlMs = options.sessionTtlMs ?? SIGNIN_SESSION_TTL_MS;
  }

  /** Starts a session for a user who just proved who they are (so it counts as a fresh verification). */
  start(userId: string, now: number, client: { userAgent?: string; remote?: string } = {}): SigninTokens {
    const access = generateSecret(SecretPrefix.ACCESS);
    const refresh = generateSecret(SecretPrefix.REFRESH);
    const record: SigninSessionRecord = {
      id: randomUUID(),
      userId,
      refreshHash: hashSecret(refresh),
      previousRefreshHash: null,
      accessHash: hashSecret(access),
      accessExpiresAt: now + this.accessTtlMs,
      createdAt: now,
      expiresAt: now + this.sessionTtlMs,
      verifiedAt: now,
      revokedAt: null,
      userAgent: (client.userAgent ?? '').slice(0, 256),
      remote: (client.remote ?? '').slice(0, 64),
    };
    this.options.sessions.addSigninSession(record);
    return this.tokens(record, access, refresh);
  }

  /** The user and session behind an access token, if it is live. */
  authenticate(accessToken: string, now: number): Result<SignedIn, SigninRefusal> {
    if (!accessToken.startsWith(SecretPrefix.ACCESS)) return err('SESSION_UNKNOWN');
    const session = this.options.sessions.findSigninSessionByAccess(hashSecret(accessToken));
    if (!session) return err('SESSION_UNKNOWN');
    const live = this.live(session, now);
    if (!live.ok) return live;
    if (session.accessExpiresAt <= now) return err('SESSION_EXPIRED');
    return ok(live.value);
  }

  /** Whether a session (looked up again: it may have been revoked since) still stands. */
  stillLive(sessionId: string, now: number): boolean {
    const session = this.options.sessions.findSigninSession(sessionId);
    return session !== undefined && this.live(session, now).ok;
  }

  /** New access token and refresh secret for the current refresh secret; an old one revokes the session. */
  refresh(refreshToken: string, now: number): Result<SigninTokens, SigninRefusal> {
    if (!refreshToken.startsWith(SecretPrefix.REFRESH)) return err('SESSION_UNKNOWN');
    const presented = hashSecret(refreshToken);
    const session = this.options.sessions.findSigninSessionByRefresh(presented);
    if (!session) return err('SESSION_UNKNOWN');
    const live = this.live(session, now);
    if (!live.ok) return live;
    const access = generateSecret(SecretPrefix.ACCESS);
    const refresh = generateSecret(SecretPrefix.REFRESH);
    const next = {
      refreshHash: hashSecret(refresh),
      accessHash: hashSecret(access),
      accessExpiresAt: Math.min(now + this.accessTtlMs, session.expiresAt),
    };
    if (session.refreshHash !== presented || !this.options.sessions.rotateSigninSession(session.id, presented, next)) {
      // Rotated already: whoever holds this one is not the only holder.
      this.options.sessions.revokeSigninSession(session.id, now);
      return err('REFRESH_REUSED');
    }
    return ok(this.tokens({ ...session, ...next }, access, refresh));
  }

  /** A passkey or TOTP check just succeeded in this session: the step-up window starts again. */
  markVerified(sessionId: string, now: number): void {
    this.options.sessions.markSigninVerified(sessionId, now);
  }

  signOut(sessionId: string, now: number): boolean {
    return this.options.sessions.revokeSigninSession(sessionId, now);
  }

  private live(session: SigninSessionRecord, now: number): Result<SignedIn, SigninRefusal> {
    if (session.revokedAt !== null) return err('SESSION_REVOKED');
    if (session.expiresAt <= now) return err('SESSION_EXPIRED');
    const user = this.options.users.findUserById(session.userId);
    if (!user || user.disabledAt !== null) return err('SESSION_REVOKED');
    return ok({ user, session });
  }

  private tokens(record: SigninSessionRecord, access: string, refresh: string): SigninTokens {
    return {
      sessionId: record.id,
      accessToken: access,
      accessExpiresAt: record.accessExpiresAt,
      refreshToken: refresh,
      expiresAt: record.expiresAt,
    };
  }
}
