import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the built preload script (out/preload/index.cjs). */
  preloadPath: string;
  /** Size, and position unless the OS should centre it (windowState.ts placeWindow); default 1280×800, centred. */
  bounds?: { x?: number; y?: number; width: number; height: number };
}

/** The console's dark background, shown before the first paint so the window does not flash white. */
const backgroundColor = '#0f172a';

/** The console's default and smallest size. */
export const defaultWindowSize = { width: 1280, height: 800 };
export const minimumWindowSize = { width: 640, height: 400 };

/**
 * The web preferences of every window the app opens, the console and the
 * sign-in window alike. Pages are treated as untrusted (the console shows
 * output of remote machines, the sign-in window a broker's page): no Node,
 * their own JavaScript world, the OS sandbox, nothing that loosens web
 * security. A fresh object each time, so one window cannot loosen another.
 */
export function lockedDownWebPreferences(): WebPreferences {
  return {
    // The preload's world is separate from the page's: the page sees only
    // what contextBridge copies across.
    contextIsolation: true,
    // The renderer process runs in Chromium's OS sandbox; a preload then
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
    // Dropping a file on the window must not navigate away from the page.
    navigateOnDragDrop: false,
    // A page may not block the main process with endless alert() loops.
    safeDialogs: true,
    // Spellchecking terminal text is noise, and Electron would fetch dictionaries from a Google CDN for it.
    spellcheck: false,
  };
}

/**
 * Options of every console window: the locked-down preferences plus the
 * preload, the only bridge, which exposes one typed object.
 */
export function createWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Fleetterm',
    ...defaultWindowSize,
    ...input.bounds,
    minWidth: minimumWindowSize.width,
    minHeight: minimumWindowSize.height,
    backgroundColor,
    // Shown on 'ready-to-show', after the first paint.
    show: false,
    webPreferences: { ...lockedDownWebPreferences(), preload: input.preloadPath },
  };
}
