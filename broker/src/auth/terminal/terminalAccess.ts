import type { ErrorCode } from '../../../../common/protocol';
import { err, ok, type Result } from '../../../../common/result';
import { formatDuration } from '../../../../common/duration';
import type { AuditLog } from '../../audit/auditLog';
import type { Store } from '../../store/store';
import { decideAccess } from '../accessPolicy';
import { mayOpenSessions, type Operator } from '../operatorAuth';
import { generateSecret, hashSecret, SecretPrefix } from '../secrets';
import type { SigninSessions } from '../signin/signinSessions';

/** A terminal token opens one terminal within this time of being minted. */
export const TERMINAL_TOKEN_TTL_MS = 60_000;
/** How recent the last passkey (or TOTP) check must be to mint one. */
export const DEFAULT_STEP_UP_WINDOW_MS = 5 * 60_000;

export interface TerminalRefusal {
  status: number;
  code: ErrorCode;
  message: string;
}

export interface TerminalAccessOptions {
  store: Store;
  signins: SigninSessions;
  audit: AuditLog;
  now: () => number;
  stepUpWindowMs?: number;
}

const refused = (status: number, code: ErrorCode, message: string): TerminalRefusal => ({ status, code, message });

/**
 * Opening a terminal, for a person signed in: a step-up (a fresh passkey
 * check) within the window, then a one-time terminal token (60 s) bound to
 * the person, their sign-in, the machine and the login user, which the
 * console spends in its `open`. A session is not cut when its token
 * expires: the token only opens it. API tokens (automation) open without one.
 */
export class TerminalAccess {
  private readonly windowMs: number;

  constructor(private readonly options: TerminalAccessOptions) {
    this.windowMs = options.stepUpWindowMs ?? DEFAULT_STEP_UP_WINDOW_MS;
  }

  get stepUpWindowMs(): number {
    return this.windowMs;
  }

  /** Whether this operator may do what needs a step-up now: API tokens (automation) always may. */
  stepUpFresh(operator: Operator): boolean {
    const { credential } = operator;
    if (credential.kind !== 'signin') return true;
    const session = this.options.store.signinSessions.findSigninSession(credential.sessionId);
    return session !== undefined && this.options.now() - session.verifiedAt <= this.windowMs;
  }

  mint(
    operator: Operator,
    machineName: string,
    loginUser: string | undefined,
  ): Result<{ terminalToken: string; expiresAt: number }, TerminalRefusal> {
    const { store, now } = this.options;
    const at = now();
    const deny = (status: number, code: ErrorCode, message: string) => {
      this.options.audit.record('terminal_token.refused', {
        actor: operator.name,
        target: machineName,
        detail: { code, loginUser: loginUser ?? null },
      });
      return err(refused(status, code, message));
    };
    const { credential } = operator;
    if (credential.kind !== 'signin') {
      return deny(400, 'BAD_REQUEST', 'terminal tokens are for signed-in people; API tokens open terminals directly');
    }
    if (!mayOpenSessions(operator.role)) {
      return deny(403, 'FORBIDDEN', `the ${operator.role} role may list machines and sessions but not open them`);
    }
    const session = store.signinSessions.findSigninSession(credential.sessionId);
    const age = session ? at - session.verifiedAt : Infinity;
    if (age > this.windowMs) {
      return deny(
        403,
        'STEP_UP_REQUIRED',
        `confirm it is you with your passkey first: opening a terminal needs a check within the last ` +
          `${formatDuration(this.windowMs)}` +
          (Number.isFinite(age) ? ` (yours was ${formatDuration(Math.round(age / 1000) * 1000)} ago)` : ''),
      );
    }
    const machine = store.findMachineByName(machineName);
    if (!machine) return deny(404, 'MACHINE_NOT_FOUND', `no machine is named "${machineName}"`);
    const access = decideAccess({ operator, machine, loginUser }, store.listPolicies());
    if (!access.allowed) return deny(403, 'POLICY_DENIED', access.reason);
    const terminalToken = generateSecret(SecretPrefix.TERMINAL);
    const expiresAt = at + TERMINAL_TOKEN_TTL_MS;
    store.terminalTokens.addTerminalToken({
      hash: hashSecret(terminalToken),
      userId: credential.userId,
      signinSessionId: credential.sessionId,
      machineId: machine.id,
      loginUser: loginUser ?? null,
      createdAt: at,
      expiresAt,
      spentAt: null,
    });
    this.options.audit.record('terminal_token.minted', {
      actor: operator.name,
      target: machine.name,
      detail: { loginUser: loginUser ?? null, policy: access.policy, expiresAt },
    });
    return ok({ terminalToken, expiresAt });
  }

  /**
   * Spends the terminal token an `open` carries. It is spent first (so a
   * stolen token tried against another machine is burnt), then it must
   * match who opens what.
   */
  redeem(
    operator: Operator,
    token: string | undefined,
    machine: { id: string; name: string },
    loginUser: string | undefined,
  ): Result<void, { code: ErrorCode; message: string }> {
    const { credential } = operator;
    if (credential.kind !== 'signin') return ok(undefined);
    const refuse = (code: ErrorCode, message: string) => {
      this.options.audit.record('terminal_token.refused', {
        actor: operator.name,
        target: machine.name,
        detail: { code, reason: message },
      });
      return err({ code, message });
    };
    if (!token?.startsWith(SecretPrefix.TERMINAL)) {
      return refuse(
        'TERMINAL_TOKEN_REQUIRED',
        'opening a terminal needs a one-time terminal token: confirm with your passkey, then open again',
      );
    }
    const hash = hashSecret(token);
    const outcome = this.options.store.terminalTokens.spendTerminalToken(hash, this.options.now());
    if (outcome !== 'spent') {
      const why = {
        unknown: 'the terminal token is not known',
        used: 'the terminal token was already used (each opens one terminal)',
        expired: 'the terminal token expired (they last 60 s)',
      }[outcome];
      return refuse('TERMINAL_TOKEN_INVALID', `${why}; ask for a new one`);
    }
    const record = this.options.store.terminalTokens.findTerminalToken(hash)!;
    const mismatch =
      record.userId !== credential.userId
        ? 'it was issued to someone else'
        : record.signinSessionId !== credential.sessionId
          ? 'it was issued to another sign-in'
          : record.machineId !== machine.id
            ? 'it was issued for another machine'
            : record.loginUser !== (loginUser ?? null)
              ? `it was issued for login user ${record.loginUser ?? '(default)'}`
              : undefined;
    if (mismatch) return refuse('TERMINAL_TOKEN_INVALID', `the terminal token does not fit this open: ${mismatch}`);
    if (!this.options.signins.stillLive(credential.sessionId, this.options.now())) {
      return refuse('TERMINAL_TOKEN_INVALID', 'your sign-in has ended; sign in again');
    }
    this.options.audit.record('terminal_token.spent', { actor: operator.name, target: machine.name });
    return ok(undefined);
  }
}
