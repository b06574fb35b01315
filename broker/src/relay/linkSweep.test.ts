import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkSweep, type SweptLink } from './linkSweep';

const timings = (heartbeatIntervalMs: number) => ({
  helloTimeoutMs: 60_000,
  heartbeatIntervalMs,
  heartbeatTimeoutMs: 3 * heartbeatIntervalMs,
});

describe('LinkSweep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sweeps 16 times per shortest deadline, between 5 ms and 1 s apart', () => {
    expect(new LinkSweep(timings(15_000)).sweepMs).toBe(937);
    expect(new LinkSweep(timings(60_000)).sweepMs).toBe(1_000);
    expect(new LinkSweep(timings(50)).sweepMs).toBe(5);
  });

  it('holds one timer for all its links and drops it when the last one leaves', () => {
    const sweep = new LinkSweep(timings(1_600));
    const seen: string[] = [];
    const a: SweptLink = { sweep: () => seen.push('a') };
    const b: SweptLink = { sweep: () => seen.push('b') };
    sweep.add(a);
    sweep.add(b);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual(['a', 'b']);
    sweep.delete(a);
    vi.advanceTimersByTime(100);
    expect(seen).toEqual(['a', 'b', 'b']);
    sweep.delete(b);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('goes on past a link that leaves during its own sweep', () => {
    const sweep = new LinkSweep(timings(1_600));
    const seen: string[] = [];
    const leaving: SweptLink = { sweep: () => (seen.push('leaving'), sweep.delete(leaving)) };
    const staying: SweptLink = { sweep: () => seen.push('staying') };
    sweep.add(leaving);
    sweep.add(staying);
    vi.advanceTimersByTime(200);
    expect(seen).toEqual(['leaving', 'staying', 'staying']);
  });
});
