import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles its ceiling up to the cap, with full jitter below it', () => {
    const ceilings = (() => {
      const backoff = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
      return Array.from({ length: 9 }, () => backoff.next());
    })();
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
    const low = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0 });
    expect(low.next()).toBe(0);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
    expect(backoff.attempts).toBe(1);
  });
});
