import type { Role, Store } from '../../store/store';
import { generateSecret, hashSecret, SecretPrefix } from '../secrets';

/** The first admin's link and invitations are good this long unless the issuer says otherwise. */
export const DEFAULT_INVITATION_TTL_MS = 24 * 60 * 60_000;

export interface IssuedInvitation {
  /** The secret for the link (`fti_…`); only its hash is stored. */
  secret: string;
  role: Role;
  name: string | null;
  expiresAt: number;
}

/**
 * A one-time registration link. Without `createdBy` it is the first admin's:
 * issuing one replaces any unused first-admin link, so only the newest printed works.
 */
export function issueInvitation(
  store: Store,
  input: { role: Role; name: string | null; createdBy: string | null; ttlMs?: number; now: number },
): IssuedInvitation {
  const secret = generateSecret(SecretPrefix.INVITE);
  const expiresAt = input.now + (input.ttlMs ?? DEFAULT_INVITATION_TTL_MS);
  if (input.createdBy === null) store.users.dropFirstAdminInvitations();
  store.users.addInvitation({
    hash: hashSecret(secret),
    role: input.role,
    name: input.name,
    createdBy: input.createdBy,
    createdAt: input.now,
    expiresAt,
    usedAt: null,
  });
  return { secret, role: input.role, name: input.name, expiresAt };
}

/** The page that redeems a link; the secret rides in the fragment, which browsers never send to a server. */
export function registrationLink(consoleUrl: string, secret: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/register#${secret}`;
}
