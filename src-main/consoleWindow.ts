import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { RendererEntry } from './rendererEntry';
import { createWindowOptions } from './windowOptions';

export interface ConsoleWindowDeps {
  /** `(options) => new BrowserWindow(options)` in the app; a fake in tests. */
  createWindow(options: BrowserWindowConstructorOptions): BrowserWindow;
  entry: RendererEntry;
  preloadPath: string;
  onError(message: string, error: unknown): void;
}

/** Opens a console window with the locked-down options and loads the renderer into it. */
export function openConsoleWindow(deps: ConsoleWindowDeps): BrowserWindow {
  const window = deps.createWindow(createWindowOptions({ preloadPath: deps.preloadPath }));
  window.once('ready-to-show', () => window.show());
  const loading = deps.entry.kind === 'file' ? window.loadFile(deps.entry.path) : window.loadURL(deps.entry.url);
  loading.catch((error: unknown) => deps.onError(`could not load the console from ${deps.entry.url}`, error));
  return window;
}
