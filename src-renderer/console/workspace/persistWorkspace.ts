import type { Timers } from '../../../common/client';
import { toDisposable, type Disposable } from '../../../common/disposable';
import type { ConsoleStore } from '../store/consoleStore';
import { saveWorkspace } from '../store/workspaceSlice';
import type { WorkspaceFile } from './workspaceFile';

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
