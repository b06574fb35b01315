import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { RendererEntry } from './rendererEntry';
import type { WindowState } from './windowState';
import { createWindowOptions, type WindowOptionsInput } from './windowOptions';

export interface ConsoleWindowDeps {
  /** `(options) => new BrowserWindow(options)` in the app; a fake in tests. */
  createWindow(options: BrowserWindowConstructorOptions): BrowserWindow;
  entry: RendererEntry;
  preloadPath: string;
  /** Where it opens (windowState.ts placeWindow). */
  placement?: { bounds: WindowOptionsInput['bounds']; maximized: boolean };
  /** Told the window's normal bounds and maximized state as it closes, to open there next time. */
  onClose?(state: WindowState): void;
  onError(message: string, error: unknown): void;
}

/** Opens a console window with the locked-down options and loads the renderer into it. */
export function openConsoleWindow(deps: ConsoleWindowDeps): BrowserWindow {
  const window = deps.createWindow(
    createWindowOptions({ preloadPath: deps.preloadPath, bounds: deps.placement?.bounds }),
  );
  window.once('ready-to-show', () => {
    if (deps.placement?.maximized) window.maximize();
    window.show();
  });
  window.on('close', () => deps.onClose?.({ bounds: window.getNormalBounds(), maximized: window.isMaximized() }));
  // Both kinds are URLs: the built files through app://fleetterm (appProtocol.ts), or the dev server.
  window
    .loadURL(deps.entry.url)
    .catch((error: unknown) => deps.onError(`could not load the console from ${deps.entry.url}`, error));
  return window;
}
