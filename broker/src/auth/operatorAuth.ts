import { TOKEN_SCOPES, type Role, type Store, type TokenScope } from '../store/store';
import { isLive } from './authenticate';
import { bearerSecret, hashSecret, SecretPrefix } from './secrets';
import type { SigninSessions } from './signin/signinSessions';

/** How an operator proved who they are. */
export type OperatorCredential =
  /** An API token (automation, the CLI without `login`). */
  | { kind: 'api-token'; tokenId: string }
  /** A person's sign-in session (passkey or TOTP). */
  | { kind: 'signin'; sessionId: string; userId: string };

/** Who is on the other end of an authenticated console link or API call. */
export interface Operator {
  credential: OperatorCredential;
  /** The operator's identity in sessions and audit: the user's name, or the API token's. */
  name: string;
  role: Role;
  /** What the credential may do; a person signed in may do all their role allows. */
  scopes: readonly TokenScope[];
}

/** Why an operator's scopes do not cover `scope`, or undefined when they do. */
export function missingScope(operator: Operator, scope: TokenScope): string | undefined {
  if (operator.scopes.includes(scope)) return undefined;
  return `this API token's scopes are ${operator.scopes.join(', ') || 'none'}; this needs ${scope} (create a token with --scope ${scope})`;
}

/** Operator names end up in shell environments and logs: keep them plain. */
export const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Roles that may open shells and run commands; auditors may only list. */
export function mayOpenSessions(role: Role): boolean {
  return role === 'admin' || role === 'operator';
}

/**
 * Authenticates operators by the bearer secret they present: an API token
 * (`ftk_`) or a sign-in session's access token (`fta_`). A link outlives its
 * upgrade, so `stillLive` looks the credential up again: a token revoked or
 * expired, a session signed out or revoked, or a user disabled since stops
 * working at the link's next request, not only at its next connection.
 */
export class OperatorAuth {
  constructor(
    private readonly store: Store,
    private readonly signins: SigninSessions,
  ) {}

  authenticate(header: string | undefined, now: number): Operator | undefined {
    const apiToken = bearerSecret(header, SecretPrefix.API);
    if (apiToken) {
      const token = this.store.findApiTokenByHash(hashSecret(apiToken));
      if (!token || !isLive(token, now)) return undefined;
      this.store.touchApiToken(token.id, now);
      return {
        credential: { kind: 'api-token', tokenId: token.id },
        name: token.name,
        role: token.role,
        scopes: token.scopes,
      };
    }
    const access = bearerSecret(header, SecretPrefix.ACCESS);
    if (!access) return undefined;
    const signedIn = this.signins.authenticate(access, now);
    if (!signedIn.ok) return undefined;
    const { user, session } = signedIn.value;
    return {
      credential: { kind: 'signin', sessionId: session.id, userId: user.id },
      name: user.name,
      role: user.role,
      scopes: TOKEN_SCOPES,
    };
  }

  stillLive(operator: Operator, now: number): boolean {
    const { credential } = operator;
    if (credential.kind === 'signin') return this.signins.stillLive(credential.sessionId, now);
    const token = this.store.findApiTokenById(credential.tokenId);
    return token !== undefined && isLive(token, now);
  }
}
