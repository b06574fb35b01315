import { createHash, randomBytes } from 'node:crypto';
import { err, ok, type Result } from '../../../../common/result';
import type { AuditLog } from '../../audit/auditLog';
import type { AccountRefusal, Client, SignedInAnswer } from '../accounts';
import type { SigninSessions } from '../signin/signinSessions';
import type { UserStore } from '../users/userStore';

/** An authorization code is exchanged within this time, or never. */
export const AUTHORIZATION_CODE_TTL_MS = 60_000;
/** At most this many codes wait at once (a person signs in one command at a time). */
const MAX_PENDING = 1000;

interface Pending {
  userId: string;
  codeChallenge: string;
  redirectUri: string;
  expiresAt: number;
}

const refused = (status: number, message: string): AccountRefusal => ({ status, code: 'BAD_REQUEST', message });

/**
 * Signing in a command-line client through the browser (RFC 8252 with
 * PKCE): the client listens on a loopback port and opens the web console's
 * `/cli-login` page; the person confirms with a passkey there, the page asks
 * this endpoint for a one-time code bound to the client's PKCE challenge and
 * loopback redirect, and the browser carries the code back to the client,
 * which exchanges it (with the verifier only it knows) for its own sign-in.
 * Codes live in memory: a restart loses at most a minute of pending logins.
 */
export class LoopbackAuthorization {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly options: {
      users: Pick<UserStore, 'findUserById'>;
      signins: SigninSessions;
      audit: AuditLog;
      now: () => number;
      stepUpWindowMs: number;
    },
  ) {}

  /** The signed-in person approves; their last passkey check must be recent. */
  authorize(
    signedIn: { userId: string; name: string; verifiedAt: number },
    request: { redirectUri: string; codeChallenge: string; state: string },
  ): Result<{ redirect: string }, AccountRefusal> {
    const now = this.options.now();
    const redirect = loopbackRedirect(request.redirectUri);
    if (!redirect) {
      return err(refused(400, 'the client must listen on a loopback address: redirect_uri is http://127.0.0.1:PORT/…'));
    }
    if (!/^[A-Za-z0-9_-]{43}$/.test(request.codeChallenge)) {
      return err(refused(400, 'code_challenge must be the base64url SHA-256 of the PKCE verifier (S256)'));
    }
    if (now - signedIn.verifiedAt > this.options.stepUpWindowMs) {
      return err({ status: 403, code: 'STEP_UP_REQUIRED', message: 'confirm it is you with your passkey first' });
    }
    this.prune(now);
    if (this.pending.size >= MAX_PENDING)
      return err({ status: 429, code: 'RATE_LIMITED', message: 'too many logins at once; retry' });
    const code = randomBytes(32).toString('base64url');
    this.pending.set(code, {
      userId: signedIn.userId,
      codeChallenge: request.codeChallenge,
      redirectUri: request.redirectUri,
      expiresAt: now + AUTHORIZATION_CODE_TTL_MS,
    });
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', request.state);
    this.options.audit.record('cli.authorized', { actor: signedIn.name, detail: { redirect: redirect.origin } });
    return ok({ redirect: redirect.toString() });
  }

  /** The client exchanges the code with its verifier for a sign-in of its own (once). */
  exchange(
    request: { code: string; codeVerifier: string; redirectUri: string },
    client: Client,
  ): Result<SignedInAnswer, AccountRefusal> {
    const now = this.options.now();
    const pending = this.pending.get(request.code);
    this.pending.delete(request.code);
    const challenge = createHash('sha256').update(request.codeVerifier).digest('base64url');
    if (
      !pending ||
      pending.expiresAt <= now ||
      pending.redirectUri !== request.redirectUri ||
      pending.codeChallenge !== challenge
    ) {
      return err({
        status: 400,
        code: 'UNAUTHORIZED',
        message: 'the login code is unknown, used, expired or not yours; run `fleetterm login` again',
      });
    }
    const user = this.options.users.findUserById(pending.userId);
    if (!user || user.disabledAt !== null) {
      return err({ status: 401, code: 'SESSION_REVOKED', message: 'this account is disabled; ask an admin' });
    }
    const tokens = this.options.signins.start(user.id, now, client);
    this.options.audit.record('signin.succeeded', {
      actor: user.name,
      detail: { sessionId: tokens.sessionId, method: 'cli-login', remote: client.remote },
    });
    return ok({ user: { id: user.id, name: user.name, displayName: user.displayName, role: user.role }, tokens });
  }

  private prune(now: number): void {
    for (const [code, pending] of this.pending) if (pending.expiresAt <= now) this.pending.delete(code);
  }
}

/** RFC 8252 §7.3: only http to a loopback IP literal, any port. */
function loopbackRedirect(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'http:' && loopback && url.port !== '' && !url.username && !url.password ? url : undefined;
}
