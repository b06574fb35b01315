import { type Secret, TOTP } from 'otpauth';

/**
 * The one TOTP configuration Fleetterm uses: RFC 6238's defaults, because
 * every authenticator app supports them and many ignore anything else
 * (SHA-256, 8 digits or another period are silently read as SHA-1/6/30).
 */
export const TOTP_PARAMS = {
  issuer: 'Fleetterm',
  algorithm: 'SHA1',
  digits: 6,
  /** Seconds per step. */
  period: 30,
} as const;

/** 160 bits: RFC 4226 section 4 asks for at least 128 and recommends 160 (the SHA-1 output size). */
export const TOTP_SECRET_BYTES = 20;

/** Steps of clock skew accepted either way: one step (30 s) covers a phone whose clock drifted a little. */
export const TOTP_WINDOW = 1;

export interface TotpOverrides {
  algorithm?: string;
  digits?: number;
}

/** A TOTP generator/validator for `secret`; overrides exist only for the RFC 6238 test vectors. */
export function makeTotp(secret: Secret, label: string, overrides: TotpOverrides = {}): TOTP {
  return new TOTP({
    issuer: TOTP_PARAMS.issuer,
    label,
    secret,
    algorithm: overrides.algorithm ?? TOTP_PARAMS.algorithm,
    digits: overrides.digits ?? TOTP_PARAMS.digits,
    period: TOTP_PARAMS.period,
  });
}

/** The associated data a user's sealed secret is bound to: a row copied to another user does not open. */
export const totpSecretContext = (userId: string): string => `totp:${userId}`;
