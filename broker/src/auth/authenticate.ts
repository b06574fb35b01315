import type { ApiTokenRecord, Machine, Store } from '../store/store';
import { bearerSecret, hashSecret, SecretPrefix } from './secrets';

/** Who is on the other end of an authenticated console link or API call. */
export interface Operator {
  tokenId: string;
  /** The API token's name: the operator's identity in sessions and audit. */
  name: string;
  role: ApiTokenRecord['role'];
}

/** The live API token behind an Authorization header, or undefined (then: 401). */
export function authenticateOperator(store: Store, header: string | undefined, now: number): Operator | undefined {
  const secret = bearerSecret(header, SecretPrefix.API);
  if (!secret) return undefined;
  const token = store.findApiTokenByHash(hashSecret(secret));
  if (!token || !isLive(token, now)) return undefined;
  store.touchApiToken(token.id, now);
  return { tokenId: token.id, name: token.name, role: token.role };
}

/** Neither revoked nor expired at `now`. */
export function isLive(token: ApiTokenRecord, now: number): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now);
}

/**
 * Whether the token an open link authenticated with is still live. A link
 * outlives its upgrade: a token revoked or expired since must stop working
 * at the link's next request, not only at its next connection.
 */
export function tokenStillLive(store: Store, operator: Operator, now: number): boolean {
  const token = store.findApiTokenById(operator.tokenId);
  return token !== undefined && isLive(token, now);
}

/** The enrolled, unrevoked machine behind an agent's credential, or undefined (then: 401). */
export function authenticateMachine(store: Store, header: string | undefined): Machine | undefined {
  const secret = bearerSecret(header, SecretPrefix.MACHINE);
  if (!secret) return undefined;
  const machine = store.findMachineByCredential(hashSecret(secret));
  return machine && machine.revokedAt === null ? machine : undefined;
}

/** Roles that may open shells and run commands; auditors may only list. */
export function mayOpenSessions(role: Operator['role']): boolean {
  return role === 'admin' || role === 'operator';
}
