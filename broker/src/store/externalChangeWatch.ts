import type { Logger } from '../../../node-common/logger';
import type { Store } from './store';

/**
 * Calls back when another process commits to the store: the CLI revoking a
 * machine or a token, or rotating the CA. Polls the store's change counter
 * (SQLite's `data_version`, one cheap pragma) rather than the whole state,
 * so a revocation takes effect within one interval at no cost otherwise.
 */
export class ExternalChangeWatch {
  private last: number;
  private readonly timer: NodeJS.Timeout;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    this.last = store.externalChangeCounter();
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private poll(): void {
    let counter: number;
    try {
      counter = this.store.externalChangeCounter();
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'cannot read the store change counter');
      return;
    }
    if (counter === this.last) return;
    this.last = counter;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.log.error({ err: error instanceof Error ? error.stack : String(error) }, 'change listener failed');
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
