import type { ApiResult, SigninTokens } from './brokerApi';

/** Refresh this long before the access token ends, so a request never meets an expired one. */
const REFRESH_AHEAD_MS = 60_000;
/** Never sooner than this after the last refresh (a clock far off must not make a loop). */
const MIN_DELAY_MS = 5_000;

export interface TokenRefresherOptions {
  tokens: SigninTokens;
  refresh: (refreshToken: string) => Promise<ApiResult<{ tokens: SigninTokens }>>;
  /** The new tokens, after each refresh. */
  onTokens: (tokens: SigninTokens) => void;
  /** The sign-in cannot go on (it ended, was revoked, or its refresh secret was refused): sign in again. */
  onEnded: (message: string) => void;
  now?: () => number;
}

/**
 * Keeps the page's 15-minute access token fresh with the rotating refresh
 * secret, one refresh at a time (a refresh secret used twice ends the
 * sign-in), a minute before it ends, until the sign-in itself ends.
 */
export class TokenRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly now: () => number;

  constructor(private readonly options: TokenRefresherOptions) {
    this.now = options.now ?? Date.now;
    this.schedule(options.tokens);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private schedule(tokens: SigninTokens): void {
    if (this.disposed) return;
    const delay = Math.max(MIN_DELAY_MS, tokens.accessExpiresAt - REFRESH_AHEAD_MS - this.now());
    if (this.now() + delay >= tokens.expiresAt) {
      // The sign-in ends before the next refresh: nothing to refresh, say so when it ends.
      this.timer = setTimeout(
        () => this.options.onEnded('your sign-in has ended (sign-ins last 12 hours); sign in again'),
        Math.max(0, tokens.expiresAt - this.now()),
      );
      return;
    }
    this.timer = setTimeout(() => void this.refresh(tokens), delay);
  }

  private async refresh(tokens: SigninTokens): Promise<void> {
    const answer = await this.options.refresh(tokens.refreshToken);
    if (this.disposed) return;
    if (!answer.ok) return this.options.onEnded(answer.error.message);
    this.options.onTokens(answer.value.tokens);
    this.schedule(answer.value.tokens);
  }
}
