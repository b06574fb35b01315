import { toDisposable, type Disposable } from '../disposable';

export type Listener<T> = (value: T) => void;

/** A typed event: `event(listener)` subscribes and returns a disposer. */
export class Emitter<T> {
  private listeners: Array<{ fn: Listener<T> }> = [];

  readonly event = (fn: Listener<T>): Disposable => {
    const entry = { fn };
    this.listeners.push(entry);
    return toDisposable(() => {
      this.listeners = this.listeners.filter((e) => e !== entry);
    });
  };

  fire(value: T): void {
    // A copy: a listener may unsubscribe (or subscribe) while we iterate.
    for (const entry of [...this.listeners]) entry.fn(value);
  }

  get size(): number {
    return this.listeners.length;
  }

  dispose(): void {
    this.listeners = [];
  }
}
