import { describe, expect, it } from 'vitest';
import { BROADCAST_IDLE_MS, BroadcastRuns } from './broadcastAudit';

describe('broadcast runs', () => {
  it('are one broadcast while the same sessions get frames without a long pause', () => {
    const runs = new BroadcastRuns();
    const first = runs.frame(['b', 'a'], 0);
    expect(first.started).toBe(true);
    expect(runs.frame(['a', 'b'], 1000)).toEqual({ id: first.id, started: false });
    expect(runs.frame(['a', 'b'], 1000 + BROADCAST_IDLE_MS - 1)).toEqual({ id: first.id, started: false });
  });

  it('start anew for another set of sessions, or after a pause', () => {
    const runs = new BroadcastRuns();
    const first = runs.frame(['a', 'b'], 0);
    const other = runs.frame(['a', 'c'], 1);
    expect(other.started).toBe(true);
    expect(other.id).not.toBe(first.id);
    expect(runs.frame(['a', 'c'], 1 + BROADCAST_IDLE_MS).started).toBe(true);
  });
});
