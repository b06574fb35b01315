/**
 * A token bucket per key (a remote address, an account): `burst` requests
 * at once, then one every `refillMs`. Refusals say how long to wait, so
 * clients back off instead of hammering. Keys that have been full for a
 * while are forgotten, so the map stays as small as the set of active callers.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
    /** Buckets are swept once they hold more than this many keys. */
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one request's token; `retryAfterMs` when there is none. */
  take(key: string, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterMs: Math.ceil((1 - tokens) * this.refillMs) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.sweep(now);
    return { ok: true };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) / this.refillMs >= this.burst) this.buckets.delete(key);
    }
  }
}
