import type { Disposable } from '../../common/disposable';
import type { ConsoleStore } from './store/consoleStore';

/** How often the list is asked for while the page is visible: fresh enough to see a machine drop, cheap for the broker. */
export const MACHINE_POLL_MS = 5_000;

/** The page's visibility (document.visibilityState), behind a seam for tests. */
export interface Visibility {
  isVisible(): boolean;
  /** Calls `listener` when visibility changes; returns the unsubscriber. */
  onChange(listener: () => void): () => void;
}

export interface MachinePollingOptions {
  intervalMs?: number;
  visibility?: Visibility;
  setTimeout?: (run: () => void, ms: number) => unknown;
  clearTimeout?: (timer: unknown) => void;
}

/** The browser's document visibility. */
export const documentVisibility: Visibility = {
  isVisible: () => document.visibilityState === 'visible',
  onChange: (listener) => {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

/**
 * Keeps the machine list fresh: asks at once, then every `intervalMs` after
 * each answer (never two requests at a time) while the page is visible, and
 * at once again when it becomes visible. Stops asking once the broker
 * refuses the sign-in: polling cannot fix that, signing in again can.
 */
export function startMachinePolling(store: ConsoleStore, options: MachinePollingOptions = {}): Disposable {
  const intervalMs = options.intervalMs ?? MACHINE_POLL_MS;
  const visibility = options.visibility ?? documentVisibility;
  const schedule = options.setTimeout ?? ((run, ms) => globalThis.setTimeout(run, ms));
  const cancel = options.clearTimeout ?? ((timer) => globalThis.clearTimeout(timer as number));
  let timer: unknown;
  let disposed = false;

  const signinRefused = () => store.getState().machines.error?.code === 'UNAUTHORIZED';

  const tick = async () => {
    timer = undefined;
    if (disposed || !visibility.isVisible() || signinRefused()) return;
    await store.getState().refreshMachines();
    if (disposed || timer !== undefined || !visibility.isVisible() || signinRefused()) return;
    timer = schedule(() => void tick(), intervalMs);
  };

  const stopListening = visibility.onChange(() => {
    cancel(timer);
    timer = undefined;
    if (visibility.isVisible()) void tick();
  });
  void tick();

  return {
    dispose: () => {
      if (disposed) return;
      disposed = true;
      cancel(timer);
      stopListening();
    },
  };
}
