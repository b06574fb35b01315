import { Secret, type TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { err, ok, type Result } from '../../../../common/result';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recoveryCodes';
import { SecretBoxError, type SecretBox } from './secretBox';
import { makeTotp, TOTP_PARAMS, TOTP_SECRET_BYTES, TOTP_WINDOW, totpSecretContext } from './totpConfig';
import type { TotpRecord, TotpStore } from './totpStore';

export type TotpRefusalCode =
  | 'TOTP_NOT_ENROLLED'
  | 'TOTP_ALREADY_ENROLLED'
  | 'TOTP_INVALID'
  | 'TOTP_REPLAYED'
  | 'TOTP_LOCKED'
  | 'TOTP_UNREADABLE'
  | 'RECOVERY_CODE_INVALID';

export interface TotpRefusal {
  code: TotpRefusalCode;
  /** Says what to do; safe to show to the user. */
  message: string;
  /** TOTP_LOCKED: when codes are checked again (ms since the epoch). */
  until?: number;
  /** TOTP_INVALID, TOTP_REPLAYED: wrong codes left before the lock. */
  attemptsLeft?: number;
}

export interface TotpEnrolment {
  /** Base32, for typing into an app by hand. Shown once: only the sealed form is stored. */
  secret: string;
  /** otpauth://totp/Fleetterm:<account>?issuer=Fleetterm&secret=…&algorithm=SHA1&digits=6&period=30 */
  uri: string;
  /** The URI as a QR code, an SVG document. */
  qrSvg: string;
}

export interface TotpStatus {
  /** A confirmed secret: codes are accepted. */
  enrolled: boolean;
  /** A secret waits for its first code (begin without confirm). */
  pending: boolean;
  confirmedAt: number | null;
  /** Set while checks are locked at the `now` asked about. */
  lockedUntil: number | null;
  failures: number;
  recoveryCodesLeft: number;
}

export interface TotpServiceOptions {
  /** Consecutive wrong codes that lock checks. Default 5: an attacker gets 5 guesses in 10^6 per lock period. */
  maxFailures?: number;
  /** How long a lock lasts, ms. Default 15 min. */
  lockMs?: number;
}

const DEFAULT_MAX_FAILURES = 5;
const DEFAULT_LOCK_MS = 15 * 60_000;
const MAX_TYPED_LENGTH = 64; // longer input is not a code; do not spend work on it

/**
 * TOTP (RFC 6238) as the second way in and the fallback for step-up:
 * enrolment with a QR code, a secret sealed at rest, one step of clock skew
 * either way, no code accepted twice, a lock after repeated failures, and
 * single-use recovery codes stored hashed. The clock is the caller's (`now`,
 * ms), so tests and the HTTP layer agree on time.
 */
export class TotpService {
  private readonly maxFailures: number;
  private readonly lockMs: number;

  constructor(
    private readonly store: TotpStore,
    private readonly box: SecretBox,
    options: TotpServiceOptions = {},
  ) {
    this.maxFailures = Math.max(1, options.maxFailures ?? DEFAULT_MAX_FAILURES);
    this.lockMs = Math.max(0, options.lockMs ?? DEFAULT_LOCK_MS);
  }

  /**
   * Starts enrolment with a fresh secret, stored sealed and unconfirmed. A
   * pending enrolment is replaced; a confirmed one only with `replace` (the
   * caller must have had the user step up: the old secret stops working now).
   */
  async begin(
    userId: string,
    accountName: string,
    options: { replace?: boolean } = {},
  ): Promise<Result<TotpEnrolment, TotpRefusal>> {
    const existing = this.store.getTotp(userId);
    if (existing?.confirmedAt != null && !options.replace) {
      return err({
        code: 'TOTP_ALREADY_ENROLLED',
        message: 'an authenticator app is already set up for this account; remove it first, or ask to replace it',
      });
    }
    const secret = new Secret({ size: TOTP_SECRET_BYTES });
    this.store.putPendingTotp(userId, this.box.seal(secret.base32, totpSecretContext(userId)));
    const uri = makeTotp(secret, accountName).toString();
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return ok({ secret: secret.base32, uri, qrSvg });
  }

  /** Finishes enrolment with the first code the app shows: returns the recovery codes, shown once. */
  confirm(userId: string, code: string, now: number): Result<{ recoveryCodes: string[]; step: number }, TotpRefusal> {
    const row = this.store.getTotp(userId);
    if (!row) return err(notEnrolled('start setting up an authenticator app first'));
    if (row.confirmedAt != null) {
      return err({
        code: 'TOTP_ALREADY_ENROLLED',
        message: 'this authenticator app is already set up; nothing to confirm',
      });
    }
    const lock = lockedRefusal(row, now);
    if (lock) return err(lock);
    const totp = this.openTotp(row);
    if (!totp.ok) return totp;
    const step = matchStep(totp.value, code, now);
    // Wrong codes while setting up do not count towards the lock: whoever can enrol already knows this secret.
    if (step === undefined) return err(invalid('the code does not match the new secret'));
    const recoveryCodes = generateRecoveryCodes();
    const confirmed = this.store.confirmTotp(userId, {
      secretEncrypted: row.secretEncrypted,
      step,
      now,
      recoveryCodeHashes: recoveryCodes.map((c) => hashRecoveryCode(normaliseRecoveryCode(c) as string)),
    });
    if (!confirmed) {
      return err(notEnrolled('setting up was started again meanwhile; scan the newest QR code and try again'));
    }
    return ok({ recoveryCodes, step });
  }

  /** Checks a code for sign-in or step-up. Every refusal but "not enrolled" and "locked" counts towards the lock. */
  verify(userId: string, code: string, now: number): Result<{ step: number }, TotpRefusal> {
    const row = this.store.getTotp(userId);
    if (!row || row.confirmedAt == null) {
      return err(notEnrolled('sign in with a passkey, or set up an authenticator app on the account page'));
    }
    // Checked before the code: during a lock even the right code is refused, so guessing gains nothing.
    const lock = lockedRefusal(row, now);
    if (lock) return err(lock);
    const totp = this.openTotp(row);
    if (!totp.ok) return totp;
    const step = matchStep(totp.value, code, now);
    if (step === undefined) return err(this.fail(userId, now, 'TOTP_INVALID'));
    if (row.lastStep != null && step <= row.lastStep) return err(this.fail(userId, now, 'TOTP_REPLAYED'));
    if (!this.store.acceptTotpStep(userId, step, now)) {
      // Lost a race: the same code was accepted a moment ago (or a lock or removal came first).
      const current = this.store.getTotp(userId);
      return err((current && lockedRefusal(current, now)) ?? this.fail(userId, now, 'TOTP_REPLAYED'));
    }
    return ok({ step });
  }

  /**
   * Spends a recovery code (case, dashes and spaces ignored). It proves the
   * user as a TOTP code would, and also ends a lock: a lost phone or an
   * attacker burning the lock must not shut the user out.
   */
  useRecoveryCode(userId: string, code: string, now: number): Result<{ remaining: number }, TotpRefusal> {
    const normalised = code.length <= MAX_TYPED_LENGTH ? normaliseRecoveryCode(code) : undefined;
    if (normalised === undefined || !this.store.consumeRecoveryCode(userId, hashRecoveryCode(normalised), now)) {
      return err({
        code: 'RECOVERY_CODE_INVALID',
        message:
          'not a recovery code of this account, or one already used; each code works once ' +
          '(12 characters like 7k2m-q9xd-4hbe, from the list saved when the authenticator app was set up)',
      });
    }
    this.store.resetTotpFailures(userId);
    return ok({ remaining: this.store.countUnusedRecoveryCodes(userId) });
  }

  /** A new set of recovery codes, shown once; the old ones stop working. */
  regenerateRecoveryCodes(userId: string, now: number): Result<string[], TotpRefusal> {
    const row = this.store.getTotp(userId);
    if (!row || row.confirmedAt == null) {
      return err(notEnrolled('recovery codes come with an authenticator app: set one up first'));
    }
    const codes = generateRecoveryCodes();
    this.store.replaceRecoveryCodes(
      userId,
      codes.map((c) => hashRecoveryCode(normaliseRecoveryCode(c) as string)),
      now,
    );
    return ok(codes);
  }

  status(userId: string, now: number): TotpStatus {
    const row = this.store.getTotp(userId);
    return {
      enrolled: row?.confirmedAt != null,
      pending: row !== undefined && row.confirmedAt == null,
      confirmedAt: row?.confirmedAt ?? null,
      lockedUntil: row?.lockedUntil != null && row.lockedUntil > now ? row.lockedUntil : null,
      failures: row?.failures ?? 0,
      recoveryCodesLeft: this.store.countUnusedRecoveryCodes(userId),
    };
  }

  /** Removes the authenticator app and its recovery codes; false when none was set up. */
  remove(userId: string): boolean {
    return this.store.deleteTotp(userId);
  }

  private openTotp(row: TotpRecord): Result<TOTP, TotpRefusal> {
    try {
      return ok(makeTotp(Secret.fromBase32(this.box.open(row.secretEncrypted, totpSecretContext(row.userId))), ''));
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      return err({
        code: 'TOTP_UNREADABLE',
        message:
          'the stored authenticator secret of this account cannot be read (the broker key in secrets/totp.key ' +
          'was replaced, or the database edited); sign in with a passkey or a recovery code, then set up the app again',
      });
    }
  }

  /** Counts a failure and locks at the limit; the refusal to return. */
  private fail(userId: string, now: number, code: 'TOTP_INVALID' | 'TOTP_REPLAYED'): TotpRefusal {
    const failures = this.store.addTotpFailure(userId);
    if (failures >= this.maxFailures) {
      const until = now + this.lockMs;
      this.store.lockTotp(userId, until);
      return locked(until);
    }
    const attemptsLeft = this.maxFailures - failures;
    if (code === 'TOTP_REPLAYED') {
      return {
        code,
        attemptsLeft,
        message: `this code was already used; wait for the next one (codes change every ${TOTP_PARAMS.period} s)`,
      };
    }
    return { ...invalid('wrong code'), attemptsLeft };
  }
}

/** The time step whose code `typed` is, within one step of `now` either way; undefined when none. */
function matchStep(totp: TOTP, typed: string, now: number): number | undefined {
  // Apps show codes as "123 456"; anything else that is not 6 digits is simply wrong.
  const token = typed.length <= MAX_TYPED_LENGTH ? typed.replace(/\s/g, '') : '';
  if (!/^\d+$/.test(token)) return undefined;
  const delta = totp.validate({ token, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? undefined : totp.counter({ timestamp: now }) + delta;
}

function lockedRefusal(row: TotpRecord, now: number): TotpRefusal | undefined {
  return row.lockedUntil != null && row.lockedUntil > now ? locked(row.lockedUntil) : undefined;
}

const locked = (until: number): TotpRefusal => ({
  code: 'TOTP_LOCKED',
  until,
  message:
    `too many wrong codes: codes are refused until ${new Date(until).toISOString()}; ` +
    'wait, sign in with a passkey, or use a recovery code',
});

const notEnrolled = (what: string): TotpRefusal => ({
  code: 'TOTP_NOT_ENROLLED',
  message: `no authenticator app is set up for this account; ${what}`,
});

const invalid = (what: string): TotpRefusal => ({
  code: 'TOTP_INVALID',
  message:
    `${what}: type the ${TOTP_PARAMS.digits}-digit code the authenticator app shows now; ` +
    'if it keeps failing, check the clock of the device that shows the code (it must be right within 30 s)',
});
