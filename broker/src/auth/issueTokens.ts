import { randomBytes } from 'node:crypto';
import type { Labels } from '../../../common/labels';
import { TOKEN_SCOPES, type Role, type Store, type TokenScope } from '../store/store';
import { generateSecret, hashSecret, SecretPrefix } from './secrets';

export interface IssuedEnrollToken {
  token: string;
  name: string;
  labels: Labels;
  expiresAt: number;
}

/** Creates a one-time enrolment token for a machine to be called `name`. */
export function issueEnrollToken(
  store: Store,
  input: { name: string; labels: Labels; ttlMs: number; now: number },
): IssuedEnrollToken {
  const token = generateSecret(SecretPrefix.ENROLL);
  const expiresAt = input.now + input.ttlMs;
  store.createEnrollToken({
    hash: hashSecret(token),
    name: input.name,
    labels: input.labels,
    createdAt: input.now,
    expiresAt,
  });
  return { token, name: input.name, labels: input.labels, expiresAt };
}

export interface IssuedApiToken {
  token: string;
  id: string;
  name: string;
  role: Role;
  scopes: TokenScope[];
  userId: string | null;
  expiresAt: number | null;
}

/** Creates an API token; `ttlMs` null means it never expires (tests only: the CLI always sets one). */
export function issueApiToken(
  store: Store,
  input: {
    name: string;
    role: Role;
    ttlMs: number | null;
    now: number;
    scopes?: TokenScope[];
    userId?: string | null;
  },
): IssuedApiToken {
  const scopes = input.scopes ?? [...TOKEN_SCOPES];
  const userId = input.userId ?? null;
  const token = generateSecret(SecretPrefix.API);
  // Short enough to type in `token revoke`, long enough never to collide in one broker.
  const id = `tok_${randomBytes(6).toString('hex')}`;
  const expiresAt = input.ttlMs === null ? null : input.now + input.ttlMs;
  store.createApiToken({
    id,
    name: input.name,
    hash: hashSecret(token),
    role: input.role,
    scopes,
    userId,
    createdAt: input.now,
    expiresAt,
    revokedAt: null,
    lastUsedAt: null,
  });
  return { token, id, name: input.name, role: input.role, scopes, userId, expiresAt };
}
