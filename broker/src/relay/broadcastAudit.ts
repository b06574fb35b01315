import { randomUUID } from 'node:crypto';

/** A broadcast that pauses this long and resumes to the same sessions is a new broadcast. */
export const BROADCAST_IDLE_MS = 30_000;

/**
 * Decides when typing into several sessions at once is a new broadcast, to
 * be audited once (with its id and targets) rather than once per frame,
 * which would be one SQLite write per keystroke. A broadcast starts with the
 * first frame, with a frame to another set of sessions, or after a pause.
 */
export class BroadcastRuns {
  private current: { key: string; id: string; lastAt: number } | undefined;

  /** The broadcast id for a frame to these sessions, and whether it starts a new broadcast. */
  frame(sessionIds: readonly string[], now: number): { id: string; started: boolean } {
    const key = [...sessionIds].sort().join(',');
    const current = this.current;
    if (current && current.key === key && now - current.lastAt < BROADCAST_IDLE_MS) {
      current.lastAt = now;
      return { id: current.id, started: false };
    }
    this.current = { key, id: randomUUID(), lastAt: now };
    return { id: this.current.id, started: true };
  }

  /** The broadcast just started was refused: the next frame starts (and is checked) anew. */
  forget(): void {
    this.current = undefined;
  }
}
