import type { AccessGrant, DesktopError, DesktopErrorCode, DesktopResult, DesktopUser } from '../common/desktopApi';
import { startLoopbackLogin, type LoopbackLogin } from '../node-common/auth/loopbackLogin';
import { requestJson, type JsonResult } from '../node-common/trust';
import type { BrokerConnection, BrokerProfiles } from './brokerProfiles';
import type { ProfileStore, StoredProfile } from './profileStore';
import { resolveSignInMethod } from './signInMethod';

/** An access token this close to its end is refreshed first (the web console's margin too). */
export const REFRESH_MARGIN_MS = 60_000;

/** The sign-in window main opened; `closed` resolves, with why, when it closes before the code came. */
export interface SignInWindowHandle {
  closed: Promise<DesktopError>;
  close(): void;
}

export interface SignInWindowRequest {
  profileId: string;
  /** The broker's /cli-login page with the PKCE challenge. */
  url: string;
  consoleUrl: string;
  redirectUri: string;
}

export interface SignInsDeps {
  store: ProfileStore;
  profiles: Pick<BrokerProfiles, 'connection' | 'pinConsoleHost'>;
  /** `process.platform`, for `auto` (signInMethod.ts). */
  platform: string;
  openWindow(request: SignInWindowRequest): SignInWindowHandle;
  /** shell.openExternal. */
  openBrowser(url: string): Promise<void>;
  now?: () => number;
}

interface Tokens {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  expiresAt: number;
}

interface Cached {
  accessToken: string;
  accessExpiresAt: number;
  user: DesktopUser;
}

const fail = (code: DesktopErrorCode, message: string): { ok: false; error: DesktopError } => ({
  ok: false,
  error: { code, message },
});

const DONE_MESSAGE = 'Signed in. You can close this page and return to Fleetterm.';

/**
 * Signing the desktop app in to brokers (RFC 8252 with PKCE, as
 * `fleetterm login`): the broker's sign-in page runs in a sandboxed window
 * or the system browser, the one-time code comes back on a loopback
 * redirect, and main exchanges it with the verifier only it knows. The
 * refresh secret stays in main (ProfileStore, safeStorage); the renderer
 * gets short-lived access tokens, refreshed here one request at a time.
 */
export class SignIns {
  private readonly access = new Map<string, Cached>();
  private readonly refreshing = new Map<string, Promise<DesktopResult<AccessGrant>>>();
  private readonly pending = new Map<string, () => void>();

  constructor(private readonly deps: SignInsDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async signIn(profileId: string): Promise<DesktopResult<AccessGrant>> {
    const profile = this.deps.store.get(profileId);
    if (!profile) return fail('NOT_FOUND', 'this broker is not in the list any more');
    this.cancel(profileId);
    const connection = await this.deps.profiles.connection(profile);
    if (!connection.ok) return connection;
    const health = await requestJson(`${profile.url}/api/v1/health`, { ca: connection.value.ca });
    if (!health.ok) return fail('UNREACHABLE', health.message);
    const consoleUrl = (health.body as { consoleUrl?: unknown }).consoleUrl;
    if (typeof consoleUrl !== 'string') {
      return fail('SIGN_IN_FAILED', `${profile.url} has no sign-in page (no web console); ask its admin`);
    }
    const login = await startLoopbackLogin(consoleUrl, { doneMessage: DONE_MESSAGE, client: 'desktop' });
    let window: SignInWindowHandle | undefined;
    const cancelThis = () => login.close();
    this.pending.set(profileId, cancelThis);
    try {
      const code = await this.awaitCode(profile, login, consoleUrl, (handle) => (window = handle));
      if (!code.ok) return code;
      const answer = await requestJson(`${profile.url}/api/v1/token`, {
        method: 'POST',
        body: { code: code.value, codeVerifier: login.codeVerifier, redirectUri: login.redirectUri },
        ca: connection.value.ca,
      });
      if (!answer.ok) return fail('UNREACHABLE', answer.message);
      if (answer.status !== 200) return fail('SIGN_IN_FAILED', `the broker refused the sign-in: ${messageOf(answer)}`);
      const { user, tokens } = answer.body as { user: DesktopUser; tokens: Tokens };
      const signedIn = { id: user.id, name: user.name, displayName: user.displayName, role: user.role };
      this.deps.store.saveSignIn(profileId, {
        user: signedIn,
        expiresAt: tokens.expiresAt,
        refreshToken: tokens.refreshToken,
      });
      return { ok: true, value: this.remember(profile, signedIn, tokens) };
    } finally {
      if (this.pending.get(profileId) === cancelThis) this.pending.delete(profileId);
      login.close();
      window?.close();
    }
  }

  /** Gives up a waiting sign-in; its signIn answers CANCELLED. */
  cancel(profileId: string): null {
    this.pending.get(profileId)?.();
    this.pending.delete(profileId);
    return null;
  }

  /** A live access token: the one in memory, or a refreshed one (one refresh per profile at a time). */
  accessToken(profileId: string): Promise<DesktopResult<AccessGrant>> {
    const profile = this.deps.store.get(profileId);
    if (!profile) return Promise.resolve(fail('NOT_FOUND', 'this broker is not in the list any more'));
    const cached = this.access.get(profileId);
    if (cached && cached.accessExpiresAt - REFRESH_MARGIN_MS > this.now()) {
      return Promise.resolve({ ok: true, value: { brokerUrl: profile.url, ...cached } });
    }
    let running = this.refreshing.get(profileId);
    if (!running) {
      running = this.refresh(profile).finally(() => this.refreshing.delete(profileId));
      this.refreshing.set(profileId, running);
    }
    return running;
  }

  /** Ends the sign-in at the broker (best effort) and forgets it here. */
  async signOut(profileId: string): Promise<DesktopResult<null>> {
    const profile = this.deps.store.get(profileId);
    if (!profile) return fail('NOT_FOUND', 'this broker is not in the list any more');
    this.cancel(profileId);
    const grant = this.deps.store.signIn(profileId) ? await this.accessToken(profileId) : undefined;
    if (grant?.ok) {
      const connection = await this.deps.profiles.connection(profile);
      if (connection.ok) {
        await requestJson(`${profile.url}/api/v1/signout`, {
          method: 'POST',
          body: {},
          headers: { Authorization: `Bearer ${grant.value.accessToken}` },
          ca: connection.value.ca,
        });
      }
    }
    this.forget(profileId);
    return { ok: true, value: null };
  }

  private forget(profileId: string): void {
    this.access.delete(profileId);
    this.deps.store.clearSignIn(profileId);
  }

  private async awaitCode(
    profile: StoredProfile,
    login: LoopbackLogin,
    consoleUrl: string,
    opened: (window: SignInWindowHandle) => void,
  ): Promise<DesktopResult<string>> {
    const cancelled = (error: unknown) => fail('CANCELLED', `sign-in stopped: ${(error as Error).message}`);
    if (resolveSignInMethod(profile.signInMethod, this.deps.platform) === 'browser') {
      try {
        await this.deps.openBrowser(login.url);
      } catch {
        return fail('SIGN_IN_FAILED', `the system browser did not open; open this address yourself: ${login.url}`);
      }
      return login.code.then((code) => ({ ok: true, value: code }) as const, cancelled);
    }
    this.deps.profiles.pinConsoleHost(profile.id, consoleUrl);
    const window = this.deps.openWindow({
      profileId: profile.id,
      url: login.url,
      consoleUrl,
      redirectUri: login.redirectUri,
    });
    opened(window);
    const closed = window.closed.then((error) => ({ ok: false, error }) as const);
    return Promise.race([login.code.then((code) => ({ ok: true, value: code }) as const, cancelled), closed]);
  }

  private async refresh(profile: StoredProfile): Promise<DesktopResult<AccessGrant>> {
    const stored = this.deps.store.signIn(profile.id);
    const signInAgain = `sign in to ${profile.name} again`;
    if (!stored) return fail('SIGNED_OUT', `not signed in to ${profile.name}; sign in`);
    if (stored.expiresAt <= this.now()) {
      this.forget(profile.id);
      return fail('SIGNED_OUT', `your sign-in to ${profile.name} has ended (sign-ins last 12 hours); ${signInAgain}`);
    }
    const connection: DesktopResult<BrokerConnection> = await this.deps.profiles.connection(profile);
    if (!connection.ok) return connection;
    const answer = await requestJson(`${profile.url}/api/v1/session/refresh`, {
      method: 'POST',
      body: { refreshToken: stored.refreshToken },
      ca: connection.value.ca,
    });
    if (!answer.ok) return fail('UNREACHABLE', answer.message);
    const tokens = (answer.body as { tokens?: Tokens }).tokens;
    if (answer.status !== 200 || !tokens) {
      this.forget(profile.id);
      return fail(
        'SIGNED_OUT',
        `your sign-in to ${profile.name} could not be renewed (${messageOf(answer)}); ${signInAgain}`,
      );
    }
    // The old refresh secret stopped working as the broker rotated it: save the new one at once.
    this.deps.store.saveSignIn(profile.id, {
      user: stored.user,
      expiresAt: tokens.expiresAt ?? stored.expiresAt,
      refreshToken: tokens.refreshToken,
    });
    return { ok: true, value: this.remember(profile, stored.user, tokens) };
  }

  private remember(profile: StoredProfile, user: DesktopUser, tokens: Tokens): AccessGrant {
    const cached = { accessToken: tokens.accessToken, accessExpiresAt: tokens.accessExpiresAt, user };
    this.access.set(profile.id, cached);
    return { brokerUrl: profile.url, ...cached };
  }
}

function messageOf(answer: JsonResult & { ok: true }): string {
  return (answer.body as { error?: { message?: string } }).error?.message ?? `HTTP ${answer.status}`;
}
