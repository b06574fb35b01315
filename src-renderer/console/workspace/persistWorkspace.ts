import type { Timers } from '../../../common/client';
import { toDisposable, type Disposable } from '../../../common/disposable';
import type { ApiResult } from '../../webConsole/brokerApi';
import type { Machine } from '../machinesApi';
import { createConsoleStore, type ConsoleStore } from '../store/consoleStore';
import { saveWorkspace } from '../store/workspaceSlice';
import { WorkspaceFile, type KeyValueStorage } from './workspaceFile';

/** Changes are written this long after the last one (a burst of title changes is one write). */
export const SAVE_DELAY_MS = 500;

/**
 * Keeps the workspace file up to date with the store: the layout, machines
 * and sessions of every tab, and the settings. Writes after a short quiet
 * time, and at once when disposed or when the page goes away (`flush`).
 */
export function persistWorkspace(
  store: ConsoleStore,
  file: WorkspaceFile,
  timers: Timers,
): Disposable & { flush(): void } {
  let timer: unknown;
  let dirty = false;
  const flush = () => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    const state = store.getState();
    file.saveWorkspace(saveWorkspace(state.workspace));
    file.saveSettings(state.settings);
  };
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.workspace === previous.workspace && state.settings === previous.settings) return;
    dirty = true;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = timers.setTimeout(flush, SAVE_DELAY_MS);
  });
  const disposable = toDisposable(() => {
    unsubscribe();
    flush();
  });
  return { dispose: () => disposable.dispose(), flush };
}

/** A store made for `file`: its settings, and its workspace restored (each pane then takes its session up). */
export function restoreFrom(store: ConsoleStore, file: WorkspaceFile): void {
  const saved = file.loadWorkspace();
  if (saved) store.getState().restoreWorkspace(saved);
}

export interface PersistedWorkspaceOptions {
  storage: KeyValueStorage;
  /** Whose workspace: the broker's origin and the person, e.g. `https://broker.example:7420#alice`. */
  owner: string;
  fetchMachines: () => Promise<ApiResult<{ machines: Machine[] }>>;
  /** The page, whose `pagehide` writes what is pending at once. */
  page: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  timers: Timers;
}

/**
 * The console store of one sign-in, as both shells open it: the person's
 * settings, their workspace restored, and every later change kept (also
 * when the page goes away). dispose() writes what is pending and stops.
 */
export function openPersistedWorkspace(options: PersistedWorkspaceOptions): { store: ConsoleStore } & Disposable {
  const file = new WorkspaceFile(options.storage, options.owner);
  const store = createConsoleStore({ fetchMachines: options.fetchMachines, settings: file.loadSettings() });
  restoreFrom(store, file);
  const kept = persistWorkspace(store, file, options.timers);
  const flush = () => kept.flush();
  options.page.addEventListener('pagehide', flush);
  return {
    store,
    dispose: () => {
      options.page.removeEventListener('pagehide', flush);
      kept.dispose();
    },
  };
}
