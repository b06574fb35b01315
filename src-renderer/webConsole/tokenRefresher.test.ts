import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SigninTokens } from './brokerApi';
import { TokenRefresher } from './tokenRefresher';

const MIN = 60_000;
let now: number;
beforeEach(() => {
  vi.useFakeTimers();
  now = 0;
  vi.setSystemTime(0);
});
afterEach(() => vi.useRealTimers());

const tokens = (n: number, accessExpiresAt: number, expiresAt = 12 * 60 * MIN): SigninTokens => ({
  sessionId: 's',
  accessToken: `fta_${n}`,
  accessExpiresAt,
  refreshToken: `ftr_${n}`,
  expiresAt,
});

describe('TokenRefresher', () => {
  it('refreshes a minute before the access token ends, with the newest refresh secret each time', async () => {
    const refresh = vi.fn(async (secret: string) => {
      const n = Number(secret.slice(4)) + 1;
      return { ok: true as const, value: { tokens: tokens(n, now + 15 * MIN) } };
    });
    const seen: string[] = [];
    const refresher = new TokenRefresher({
      tokens: tokens(0, 15 * MIN),
      refresh,
      onTokens: (next) => seen.push(next.accessToken),
      onEnded: () => {},
      now: () => now,
    });
    now = 14 * MIN;
    await vi.advanceTimersByTimeAsync(14 * MIN);
    expect(refresh).toHaveBeenCalledWith('ftr_0');
    now = 28 * MIN;
    await vi.advanceTimersByTimeAsync(14 * MIN);
    expect(refresh).toHaveBeenLastCalledWith('ftr_1');
    expect(seen).toEqual(['fta_1', 'fta_2']);
    refresher.dispose();
  });

  it('says the sign-in ended when a refresh is refused', async () => {
    const ended: string[] = [];
    new TokenRefresher({
      tokens: tokens(0, 15 * MIN),
      refresh: async () => ({ ok: false as const, error: { code: 'SESSION_REVOKED', message: 'ended by an admin' } }),
      onTokens: () => {},
      onEnded: (message) => ended.push(message),
      now: () => now,
    });
    await vi.advanceTimersByTimeAsync(15 * MIN);
    expect(ended).toEqual(['ended by an admin']);
  });

  it('does nothing more once disposed', async () => {
    const refresh = vi.fn();
    new TokenRefresher({ tokens: tokens(0, 15 * MIN), refresh, onTokens: () => {}, onEnded: () => {} }).dispose();
    await vi.advanceTimersByTimeAsync(30 * MIN);
    expect(refresh).not.toHaveBeenCalled();
  });
});
