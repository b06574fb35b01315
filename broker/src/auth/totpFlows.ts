import { err, ok, type Result } from '../../../common/result';
import type { AuditLog } from '../audit/auditLog';
import type { Store } from '../store/store';
import type { AccountRefusal, Client, SignedInAnswer } from './accounts';
import type { SigninSessions } from './signin/signinSessions';
import type { TotpRefusal, TotpService } from './totp/totpService';
import type { User } from './users/userStore';

export interface TotpFlowsOptions {
  store: Store;
  totp: TotpService;
  signins: SigninSessions;
  audit: AuditLog;
  now: () => number;
  /** How recent a passkey check must be to set up an authenticator app (the step-up window). */
  stepUpWindowMs: number;
}

const STATUS: Record<TotpRefusal['code'], number> = {
  TOTP_NOT_ENROLLED: 400,
  TOTP_ALREADY_ENROLLED: 409,
  TOTP_INVALID: 401,
  TOTP_REPLAYED: 401,
  TOTP_LOCKED: 429,
  TOTP_UNREADABLE: 500,
  RECOVERY_CODE_INVALID: 401,
};

const refused = (refusal: TotpRefusal): AccountRefusal => ({
  status: STATUS[refusal.code],
  code: refusal.code,
  message: refusal.message,
});

/**
 * An authenticator app (TOTP) for a person: setting it up (after a fresh
 * passkey check), signing in with it when the passkey is not at hand, using
 * it as the step-up, and recovery codes for when both are lost.
 */
export class TotpFlows {
  constructor(private readonly options: TotpFlowsOptions) {}

  async begin(signedIn: {
    userId: string;
    sessionId: string;
    name: string;
  }): Promise<Result<{ secret: string; uri: string; qrSvg: string }, AccountRefusal>> {
    const session = this.options.store.signinSessions.findSigninSession(signedIn.sessionId);
    if (!session || this.options.now() - session.verifiedAt > this.options.stepUpWindowMs) {
      return err({
        status: 403,
        code: 'STEP_UP_REQUIRED',
        message: 'confirm it is you with your passkey first, then set up the authenticator app',
      });
    }
    const begun = await this.options.totp.begin(signedIn.userId, signedIn.name);
    return begun.ok ? begun : err(refused(begun.error));
  }

  confirm(
    signedIn: { userId: string; name: string },
    code: string,
  ): Result<{ recoveryCodes: string[] }, AccountRefusal> {
    const confirmed = this.options.totp.confirm(signedIn.userId, code, this.options.now());
    if (!confirmed.ok) return err(refused(confirmed.error));
    this.options.audit.record('totp.enrolled', { actor: signedIn.name, target: signedIn.name });
    return ok({ recoveryCodes: confirmed.value.recoveryCodes });
  }

  /** A code as the step-up, when the passkey is not at hand. */
  stepUp(signedIn: { userId: string; sessionId: string; name: string }, code: string, client: Client) {
    const now = this.options.now();
    const verified = this.options.totp.verify(signedIn.userId, code, now);
    if (!verified.ok) return err(this.failed('stepup.refused', signedIn.name, verified.error, client));
    this.options.signins.markVerified(signedIn.sessionId, now);
    this.options.audit.record('stepup.succeeded', {
      actor: signedIn.name,
      detail: { sessionId: signedIn.sessionId, method: 'totp', remote: client.remote },
    });
    return ok({ verifiedAt: now });
  }

  /** Sign-in with a user name and a code (or a recovery code), the second way in. */
  signIn(
    input: { name: string; code?: string; recoveryCode?: string },
    client: Client,
  ): Result<SignedInAnswer, AccountRefusal> {
    const user = this.options.store.users.findUserByName(input.name);
    // Unknown names and wrong codes answer alike, so the endpoint does not tell which names exist.
    if (!user) {
      return err(this.failed('signin.refused', null, { code: 'TOTP_INVALID', message: invalidMessage }, client));
    }
    const now = this.options.now();
    if (input.recoveryCode !== undefined) {
      const used = this.options.totp.useRecoveryCode(user.id, input.recoveryCode, now);
      if (!used.ok) return err(this.failed('signin.refused', user.name, used.error, client));
      this.options.audit.record('recovery.used', { actor: user.name, detail: { remaining: used.value.remaining } });
      return ok(this.start(user, client, 'recovery-code'));
    }
    const verified = this.options.totp.verify(user.id, input.code ?? '', now);
    if (!verified.ok) {
      const refusal =
        verified.error.code === 'TOTP_NOT_ENROLLED'
          ? { code: 'TOTP_INVALID' as const, message: invalidMessage }
          : verified.error;
      return err(this.failed('signin.refused', user.name, refusal, client));
    }
    return ok(this.start(user, client, 'totp'));
  }

  private start(user: User, client: Client, method: string): SignedInAnswer {
    const tokens = this.options.signins.start(user.id, this.options.now(), client);
    this.options.audit.record('signin.succeeded', {
      actor: user.name,
      detail: { sessionId: tokens.sessionId, method, remote: client.remote },
    });
    return { user: { id: user.id, name: user.name, displayName: user.displayName, role: user.role }, tokens };
  }

  private failed(
    type: 'signin.refused' | 'stepup.refused',
    actor: string | null,
    refusal: TotpRefusal,
    client: Client,
  ): AccountRefusal {
    this.options.audit.record(type, {
      actor,
      detail: {
        code: refusal.code,
        method: 'totp',
        remote: client.remote,
        ...(refusal.attemptsLeft !== undefined ? { attemptsLeft: refusal.attemptsLeft } : {}),
      },
    });
    return refused(refusal);
  }
}

const invalidMessage =
  'the user name or the code is wrong; check both, and the clock of the device that shows the code';
