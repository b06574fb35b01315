import { createHash, randomBytes } from 'node:crypto';

/** What a secret is, by its prefix (see the shared token decisions). */
export const SecretPrefix = {
  ENROLL: 'fte_',
  API: 'ftk_',
  /** A sign-in session's short-lived access token. */
  ACCESS: 'fta_',
  /** A sign-in session's rotating refresh secret. */
  REFRESH: 'ftr_',
  /** A one-time registration link (first admin, invitations). */
  INVITE: 'fti_',
  /** A one-time terminal token: opens one terminal within 60 s. */
  TERMINAL: 'ftt_',
} as const;
export type SecretPrefix = (typeof SecretPrefix)[keyof typeof SecretPrefix];

/** 32 random bytes: beyond guessing, so a plain hash (no salt, no KDF) is enough to store. */
export function generateSecret(prefix: SecretPrefix): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** The broker stores only this: SHA-256, hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Reads `Authorization: Bearer <secret>` with the expected prefix; undefined when absent or malformed. */
export function bearerSecret(header: string | undefined, prefix: SecretPrefix): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const secret = match?.[1];
  return secret?.startsWith(prefix) && secret.length < 200 ? secret : undefined;
}
