import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../../../common/protocol';
import { err, ok, type Result } from '../../../common/result';
import type { AuditLog } from '../audit/auditLog';
import type { Store } from '../store/store';
import { OPERATOR_NAME } from './operatorAuth';
import type { PasskeyService } from './passkeys/passkeyService';
import { hashSecret, SecretPrefix } from './secrets';
import type { SigninSessions, SigninTokens } from './signin/signinSessions';
import type { Invitation, User } from './users/userStore';

/** A refusal with the HTTP status that fits it; the message says what to do. */
export interface AccountRefusal {
  status: number;
  code: ErrorCode;
  message: string;
}

/** Where a request came from, for the session record and the audit log. */
export interface Client {
  userAgent?: string;
  remote?: string;
}

export interface SignedInAnswer {
  user: Pick<User, 'id' | 'name' | 'displayName' | 'role'>;
  tokens: SigninTokens;
}

export interface AccountsOptions {
  store: Store;
  passkeys: PasskeyService;
  signins: SigninSessions;
  audit: AuditLog;
  now: () => number;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVITE_UNKNOWN: 401,
  INVITE_USED: 410,
  INVITE_EXPIRED: 410,
  USER_NAME_TAKEN: 409,
  CHALLENGE_UNKNOWN: 400,
  CHALLENGE_EXPIRED: 400,
  PASSKEY_NAME_INVALID: 400,
  PASSKEY_NOT_DISCOVERABLE: 400,
  PASSKEY_EXISTS: 409,
  PASSKEY_NOT_YOURS: 403,
};

const refused = (code: ErrorCode, message: string): AccountRefusal => ({ status: STATUS[code] ?? 401, code, message });

const publicUser = (user: User): SignedInAnswer['user'] => ({
  id: user.id,
  name: user.name,
  displayName: user.displayName,
  role: user.role,
});

/**
 * People's accounts: redeeming a registration link with a first passkey,
 * signing in with a passkey (no user name: the passkey says who), refreshing
 * and ending a sign-in. Every outcome is audited, refusals included.
 */
export class Accounts {
  constructor(private readonly options: AccountsOptions) {}

  /** Passkey creation options for the person a registration link is for; nothing is stored but the challenge. */
  async registrationOptions(
    input: { invite: string; name: string; displayName: string },
    client: Client,
  ): Promise<Result<{ registrationId: string; options: unknown }, AccountRefusal>> {
    const invitation = this.checkInvitation(input.invite);
    if (!invitation.ok) return err(this.refuse('user.register_refused', input.name, invitation.error, client));
    const name = invitation.value.name ?? input.name;
    if (!OPERATOR_NAME.test(name)) {
      return err(refused('BAD_REQUEST', 'use a user name of 1 to 64 letters, digits, . _ @ or -'));
    }
    if (this.options.store.users.findUserByName(name)) {
      return err(refused('USER_NAME_TAKEN', `someone already has the user name ${name}; choose another`));
    }
    const registrationId = randomUUID();
    const options = await this.options.passkeys.registrationOptions(
      { id: registrationId, name, displayName: input.displayName || name },
      this.options.now(),
    );
    return ok({ registrationId, options });
  }

  /** Verifies the first passkey, then creates the user and stores the passkey in one transaction, and signs in. */
  async register(
    input: {
      invite: string;
      registrationId: string;
      name: string;
      displayName: string;
      passkeyName: string;
      response: unknown;
    },
    client: Client,
  ): Promise<Result<SignedInAnswer, AccountRefusal>> {
    const now = this.options.now();
    const passkey = await this.options.passkeys.checkRegistration(
      input.registrationId,
      input.response,
      input.passkeyName,
      now,
    );
    if (!passkey.ok) return err(this.refuse('user.register_refused', input.name, passkey.error, client));
    const { store } = this.options;
    const created = (): Result<User, AccountRefusal> =>
      store.transaction(() => {
        const redeemed = store.users.redeemInvitation(hashSecret(input.invite), {
          id: input.registrationId,
          name: input.name,
          displayName: input.displayName || input.name,
          createdAt: now,
        });
        if (!redeemed.ok) return err(refused(redeemed.error, invitationMessage(redeemed.error)));
        const stored = this.options.passkeys.storePasskey(passkey.value);
        if (!stored.ok) throw new RollBack(refused(stored.error.code, stored.error.message));
        return ok(redeemed.value);
      });
    let user: Result<User, AccountRefusal>;
    try {
      user = created();
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
      user = err(error.refusal);
    }
    if (!user.ok) return err(this.refuse('user.register_refused', input.name, user.error, client));
    this.options.audit.record('user.registered', {
      actor: user.value.name,
      target: user.value.name,
      detail: { userId: user.value.id, role: user.value.role, passkey: input.passkeyName, remote: client.remote },
    });
    return ok(this.startSession(user.value, client, 'register'));
  }

  /** Options for a sign-in with any passkey of this site (the browser offers the ones it has). */
  async signinOptions(): Promise<unknown> {
    const options = await this.options.passkeys.authenticationOptions('sign-in', undefined, this.options.now());
    if (!options.ok) throw new Error(`sign-in options failed: ${options.error.message}`);
    return options.value;
  }

  async signin(response: unknown, client: Client): Promise<Result<SignedInAnswer, AccountRefusal>> {
    const verified = await this.options.passkeys.verifyAuthentication(response, 'sign-in', this.options.now());
    if (!verified.ok) return err(this.refuse('signin.refused', null, verified.error, client));
    const user = this.options.store.users.findUserById(verified.value.userId);
    if (!user || user.disabledAt !== null) {
      const refusal = { code: 'SESSION_REVOKED' as const, message: 'this account is disabled; ask an admin' };
      return err(this.refuse('signin.refused', user?.name ?? null, refusal, client));
    }
    return ok(this.startSession(user, client, 'passkey'));
  }

  refresh(refreshToken: string): Result<SigninTokens, AccountRefusal> {
    const rotated = this.options.signins.refresh(refreshToken, this.options.now());
    if (rotated.ok) return rotated;
    if (rotated.error === 'REFRESH_REUSED') {
      this.options.audit.record('signin.revoked', { detail: { reason: 'REFRESH_REUSED' } });
    }
    return err(refused(rotated.error, sessionMessage(rotated.error)));
  }

  signOut(sessionId: string, actor: string): void {
    if (this.options.signins.signOut(sessionId, this.options.now())) {
      this.options.audit.record('signin.ended', { actor, detail: { sessionId } });
    }
  }

  /** Passkey request options for confirming who is signed in (their own passkeys only). */
  async stepUpOptions(userId: string): Promise<Result<unknown, AccountRefusal>> {
    const options = await this.options.passkeys.authenticationOptions('step-up', userId, this.options.now());
    return options.ok ? options : err(refused(options.error.code, options.error.message));
  }

  /** A passkey check within a sign-in: the step-up window starts again. */
  async stepUp(
    signedIn: { userId: string; sessionId: string; name: string },
    response: unknown,
    client: Client,
  ): Promise<Result<{ verifiedAt: number }, AccountRefusal>> {
    const now = this.options.now();
    const verified = await this.options.passkeys.verifyAuthentication(response, 'step-up', now, signedIn.userId);
    if (!verified.ok) {
      this.options.audit.record('stepup.refused', {
        actor: signedIn.name,
        detail: { code: verified.error.code, remote: client.remote },
      });
      return err(refused(verified.error.code, verified.error.message));
    }
    this.options.signins.markVerified(signedIn.sessionId, now);
    this.options.audit.record('stepup.succeeded', {
      actor: signedIn.name,
      detail: { sessionId: signedIn.sessionId, method: 'passkey', remote: client.remote },
    });
    return ok({ verifiedAt: now });
  }

  private startSession(user: User, client: Client, method: 'register' | 'passkey'): SignedInAnswer {
    const tokens = this.options.signins.start(user.id, this.options.now(), client);
    this.options.audit.record('signin.succeeded', {
      actor: user.name,
      detail: { sessionId: tokens.sessionId, method, remote: client.remote },
    });
    return { user: publicUser(user), tokens };
  }

  private checkInvitation(invite: string): Result<Invitation, AccountRefusal> {
    if (!invite.startsWith(SecretPrefix.INVITE)) {
      return err(refused('INVITE_UNKNOWN', invitationMessage('INVITE_UNKNOWN')));
    }
    const checked = this.options.store.users.checkInvitation(hashSecret(invite), this.options.now());
    return checked.ok ? checked : err(refused(checked.error, invitationMessage(checked.error)));
  }

  private refuse(
    type: 'signin.refused' | 'user.register_refused',
    actor: string | null,
    refusal: { code: ErrorCode; message: string } | AccountRefusal,
    client: Client,
  ): AccountRefusal {
    this.options.audit.record(type, { actor, detail: { code: refusal.code, remote: client.remote } });
    return 'status' in refusal ? refusal : refused(refusal.code, refusal.message);
  }
}

/** Undoes the user a registration created when its passkey cannot be stored. */
class RollBack extends Error {
  constructor(readonly refusal: AccountRefusal) {
    super(refusal.message);
  }
}

function invitationMessage(code: 'INVITE_UNKNOWN' | 'INVITE_USED' | 'INVITE_EXPIRED' | 'USER_NAME_TAKEN'): string {
  return {
    INVITE_UNKNOWN: 'this registration link is not known to this broker; ask an admin for a new one',
    INVITE_USED: 'this registration link was already used; ask an admin for a new one',
    INVITE_EXPIRED: 'this registration link has expired; ask an admin for a new one',
    USER_NAME_TAKEN: 'someone already has this user name; choose another',
  }[code];
}

function sessionMessage(code: 'SESSION_UNKNOWN' | 'SESSION_EXPIRED' | 'SESSION_REVOKED' | 'REFRESH_REUSED'): string {
  return {
    SESSION_UNKNOWN: 'this sign-in is not known; sign in again',
    SESSION_EXPIRED: 'this sign-in has ended (sign-ins last 12 hours); sign in again',
    SESSION_REVOKED: 'this sign-in was ended (signed out, or revoked by an admin); sign in again',
    REFRESH_REUSED: 'this refresh secret was already used, so someone may hold a copy; the sign-in was ended',
  }[code];
}
