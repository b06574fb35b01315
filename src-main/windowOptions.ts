import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the built preload script (out/preload/index.cjs). */
  preloadPath: string;
}

/** The console's dark background, shown before the first paint so the window does not flash white. */
const backgroundColor = '#0f172a';

/**
 * Options of every console window. The renderer displays output of remote
 * machines, so it is treated as untrusted: no Node, its own JavaScript
 * world, the OS sandbox, and nothing that loosens web security. The
 * preload is the only bridge and exposes one typed object.
 */
export function createWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Fleetterm',
    width: 1280,
    height: 800,
    minWidth: 640,
    minHeight: 400,
    backgroundColor,
    // Shown on 'ready-to-show', after the first paint.
    show: false,
    webPreferences: {
      preload: input.preloadPath,
      // The preload's world is separate from the page's: the page sees only
      // what contextBridge copies across.
      contextIsolation: true,
      // The renderer process runs in Chromium's OS sandbox; the preload then
      // gets only a few Electron modules and no Node built-ins.
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      // Same-origin policy on, and no http:// content inside an https:// page.
      webSecurity: true,
      allowRunningInsecureContent: false,
      // <webview> would be a second, separately configured browser inside the page.
      webviewTag: false,
      experimentalFeatures: false,
      // Dropping a file on the window must not navigate away from the console.
      navigateOnDragDrop: false,
      // A page may not block the main process with endless alert() loops.
      safeDialogs: true,
      // Spellchecking terminal text is noise, and Electron would fetch dictionaries from a Google CDN for it.
      spellcheck: false,
    },
  };
}
