import type { ErrorCode } from '../../../common/protocol';
import { err, ok, type Result } from '../../../common/result';
import type { AuditLog } from '../audit/auditLog';
import type { Store } from '../store/store';
import type { AccountRefusal, Client, SignedInAnswer } from './accounts';
import type { PasskeyRefusal, PasskeyService } from './passkeys/passkeyService';
import type { TotpRefusal, TotpService } from './totp/totpService';

/** A person signed in with an access token (API tokens have no account page). */
export interface SignedInPerson {
  userId: string;
  sessionId: string;
  name: string;
}

/** What the account page shows: never a secret, a public key or a hash. */
export interface AccountOverview {
  user: SignedInAnswer['user'];
  passkeys: { id: string; name: string; createdAt: number; lastUsedAt: number | null; backedUp: boolean }[];
  totp: { enrolled: boolean; pending: boolean; recoveryCodesLeft: number; lockedUntil: number | null };
  signin: {
    sessionId: string;
    /** The newest passkey or TOTP check of this sign-in. */
    verifiedAt: number;
    stepUpWindowMs: number;
    /** Until when sensitive changes need no new check (verifiedAt + window). */
    stepUpUntil: number;
    expiresAt: number;
  };
  /** The broker's clock, so a page compares stepUpUntil without trusting its own. */
  now: number;
}

export interface AccountSettingsOptions {
  store: Store;
  passkeys: PasskeyService;
  totp: TotpService;
  audit: AuditLog;
  now: () => number;
  /** How recent a passkey or TOTP check must be for adding or removing a way in. */
  stepUpWindowMs: number;
}

const PASSKEY_STATUS: Partial<Record<PasskeyRefusal['code'], number>> = {
  CHALLENGE_UNKNOWN: 400,
  CHALLENGE_EXPIRED: 400,
  PASSKEY_NAME_INVALID: 400,
  PASSKEY_NOT_DISCOVERABLE: 400,
  PASSKEY_EXISTS: 409,
  PASSKEY_UNKNOWN: 404,
  PASSKEY_LAST: 409,
};

const passkeyRefused = (refusal: PasskeyRefusal): AccountRefusal => ({
  status: PASSKEY_STATUS[refusal.code] ?? 401,
  code: refusal.code,
  message: refusal.message,
});

const totpRefused = (refusal: TotpRefusal): AccountRefusal => ({
  status: refusal.code === 'TOTP_NOT_ENROLLED' ? 400 : 500,
  code: refusal.code,
  message: refusal.message,
});

const refused = (status: number, code: ErrorCode, message: string): AccountRefusal => ({ status, code, message });

/**
 * The signed-in person's own account: their passkeys (add, rename, remove),
 * new recovery codes, and ending every sign-in. Adding or removing a way in
 * needs a passkey or TOTP check within the step-up window, so a borrowed
 * unlocked laptop is not enough to plant a passkey or strip the owner's.
 * Every change is audited.
 */
export class AccountSettings {
  constructor(private readonly options: AccountSettingsOptions) {}

  overview(person: SignedInPerson): Result<AccountOverview, AccountRefusal> {
    const { store, passkeys, totp, now, stepUpWindowMs } = this.options;
    const user = store.users.findUserById(person.userId);
    const session = store.signinSessions.findSigninSession(person.sessionId);
    if (!user || !session) return err(refused(401, 'SESSION_UNKNOWN', 'this sign-in is not known; sign in again'));
    const at = now();
    const status = totp.status(person.userId, at);
    return ok({
      user: { id: user.id, name: user.name, displayName: user.displayName, role: user.role },
      passkeys: passkeys.listPasskeys(person.userId).map((p) => ({
        id: p.id,
        name: p.name,
        createdAt: p.createdAt,
        lastUsedAt: p.lastUsedAt,
        backedUp: p.backedUp,
      })),
      totp: {
        enrolled: status.enrolled,
        pending: status.pending,
        recoveryCodesLeft: status.recoveryCodesLeft,
        lockedUntil: status.lockedUntil,
      },
      signin: {
        sessionId: session.id,
        verifiedAt: session.verifiedAt,
        stepUpWindowMs,
        stepUpUntil: session.verifiedAt + stepUpWindowMs,
        expiresAt: session.expiresAt,
      },
      now: at,
    });
  }

  /** Creation options for another passkey of this person; the challenge is bound to them. */
  async passkeyOptions(person: SignedInPerson): Promise<Result<{ options: unknown }, AccountRefusal>> {
    const fresh = this.checkFresh(person, 'adding a passkey');
    if (!fresh.ok) return fresh;
    const user = this.options.store.users.findUserById(person.userId);
    if (!user) return err(refused(401, 'SESSION_UNKNOWN', 'this sign-in is not known; sign in again'));
    const options = await this.options.passkeys.registrationOptions(
      { id: user.id, name: user.name, displayName: user.displayName },
      this.options.now(),
    );
    return ok({ options });
  }

  /** Verifies and stores another passkey; the step-up is checked again, since the ceremony takes a while. */
  async addPasskey(
    person: SignedInPerson,
    passkeyName: string,
    response: unknown,
    client: Client,
  ): Promise<Result<{ passkey: AccountOverview['passkeys'][number] }, AccountRefusal>> {
    const fresh = this.checkFresh(person, 'adding a passkey');
    if (!fresh.ok) return fresh;
    const added = await this.options.passkeys.verifyRegistration(
      person.userId,
      response,
      passkeyName,
      this.options.now(),
    );
    if (!added.ok) return err(passkeyRefused(added.error));
    const { id, name, createdAt, lastUsedAt, backedUp } = added.value;
    this.options.audit.record('passkey.added', {
      actor: person.name,
      target: person.name,
      detail: { passkeyId: id, name, backedUp, remote: client.remote },
    });
    return ok({ passkey: { id, name, createdAt, lastUsedAt, backedUp } });
  }

  /** Only a label: no step-up needed. */
  renamePasskey(person: SignedInPerson, id: string, name: string): Result<{ renamed: true }, AccountRefusal> {
    const previous = this.findName(person.userId, id);
    const renamed = this.options.passkeys.renamePasskey(person.userId, id, name);
    if (!renamed.ok) return err(passkeyRefused(renamed.error));
    this.options.audit.record('passkey.renamed', {
      actor: person.name,
      target: person.name,
      detail: { passkeyId: id, name: name.trim(), previous },
    });
    return ok({ renamed: true });
  }

  /** Never the last way in (PASSKEY_LAST comes from the passkey service). */
  removePasskey(person: SignedInPerson, id: string): Result<{ removed: true }, AccountRefusal> {
    const fresh = this.checkFresh(person, 'removing a passkey');
    if (!fresh.ok) return fresh;
    const name = this.findName(person.userId, id);
    const removed = this.options.passkeys.removePasskey(person.userId, id);
    if (!removed.ok) return err(passkeyRefused(removed.error));
    this.options.audit.record('passkey.removed', {
      actor: person.name,
      target: person.name,
      detail: { passkeyId: id, name },
    });
    return ok({ removed: true });
  }

  /** A new set of recovery codes, shown once; the old ones stop working. */
  regenerateRecoveryCodes(person: SignedInPerson): Result<{ recoveryCodes: string[] }, AccountRefusal> {
    const fresh = this.checkFresh(person, 'making new recovery codes');
    if (!fresh.ok) return fresh;
    const codes = this.options.totp.regenerateRecoveryCodes(person.userId, this.options.now());
    if (!codes.ok) return err(totpRefused(codes.error));
    this.options.audit.record('recovery.regenerated', {
      actor: person.name,
      target: person.name,
      detail: { count: codes.value.length },
    });
    return ok({ recoveryCodes: codes.value });
  }

  /**
   * Ends every sign-in of this person, this one included. No step-up: someone
   * who fears a stolen sign-in must be able to end it at once, and the worst a
   * thief can do with it is sign the owner out.
   */
  signOutEverywhere(person: SignedInPerson): { sessionsEnded: number } {
    const ended = this.options.store.signinSessions.revokeUserSigninSessions(person.userId, this.options.now());
    this.options.audit.record('signin.ended_everywhere', {
      actor: person.name,
      target: person.name,
      detail: { sessionId: person.sessionId, sessionsEnded: ended },
    });
    return { sessionsEnded: ended };
  }

  private checkFresh(person: SignedInPerson, what: string): Result<void, AccountRefusal> {
    const { store, now, stepUpWindowMs } = this.options;
    const session = store.signinSessions.findSigninSession(person.sessionId);
    if (session && now() - session.verifiedAt <= stepUpWindowMs) return ok(undefined);
    const minutes = Math.round(stepUpWindowMs / 60_000);
    return err(
      refused(
        403,
        'STEP_UP_REQUIRED',
        `confirm it is you with a passkey or your authenticator app first: ${what} needs a check ` +
          `within the last ${minutes >= 1 ? `${minutes} min` : `${Math.round(stepUpWindowMs / 1000)} s`}`,
      ),
    );
  }

  private findName(userId: string, id: string): string | null {
    return this.options.passkeys.listPasskeys(userId).find((p) => p.id === id)?.name ?? null;
  }
}
