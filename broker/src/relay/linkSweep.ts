import type { LinkTimings } from './link';

/** What the sweep asks of each link it holds. */
export interface SweptLink {
  /** Acts on whichever of the link's deadlines (hello, ping, silence) `now` has reached. */
  sweep(now: number): void;
}

/**
 * Sweeps per shortest deadline: with the 10 s hello deadline a sweep runs
 * every 625 ms, and 10,000 links pinged every 15 s go out about 420 per sweep.
 */
const SWEEPS_PER_INTERVAL = 16;
/** However short the test timings, a sweep over every link at most this often. */
const MIN_SWEEP_MS = 5;
/** The hello and silence deadlines are kept to within a second. */
const MAX_SWEEP_MS = 1_000;

/**
 * One timer for the deadlines of every link, instead of a ping interval and
 * a silence timer per link: with 10,000 idle agent links those were 20,000
 * timers (and their closures) to hold and re-arm. Each link keeps its own
 * phase (when it opened), so their pings stay spread over the interval.
 */
export class LinkSweep {
  private readonly links = new Set<SweptLink>();
  private timer: NodeJS.Timeout | undefined;
  readonly sweepMs: number;

  constructor(readonly timings: LinkTimings) {
    const shortest = Math.min(timings.helloTimeoutMs, timings.heartbeatIntervalMs, timings.heartbeatTimeoutMs);
    this.sweepMs = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(shortest / SWEEPS_PER_INTERVAL)));
  }

  add(link: SweptLink): void {
    this.links.add(link);
    if (this.timer) return;
    this.timer = setInterval(() => this.sweepAll(), this.sweepMs);
    // The listeners keep the broker alive; a sweep with links left over must not.
    this.timer.unref();
  }

  delete(link: SweptLink): void {
    this.links.delete(link);
    if (this.links.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweepAll(): void {
    const now = Date.now();
    // A link that closes in its sweep leaves the set; a Set iterates safely past deletions.
    for (const link of this.links) link.sweep(now);
  }
}
