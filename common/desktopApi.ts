// The desktop IPC contract: what the preload exposes to the renderer as
// `window.fleetterm`, and the channels it uses to ask the main process.
// Pure types and constants, so main, preload and renderer share one
// definition and the compiler catches a drift between them.

/** Invoke channels, named `<area>:<verb>`, answered by the main process. */
export const desktopChannels = {
  getAppInfo: 'app:get-info',
} as const;

export type DesktopChannel = (typeof desktopChannels)[keyof typeof desktopChannels];

/** What the main process reports about the running app. */
export interface AppInfo {
  /** The desktop app's own version (package.json `version`). */
  appVersion: string;
  /** Runtime versions, useful in bug reports. */
  versions: { electron: string; chrome: string; node: string };
  /** Node's `process.platform` of the desktop, e.g. `linux`, `darwin`, `win32`. */
  platform: string;
}

/**
 * Arguments and result of each invoke channel. The preload calls only
 * these; the main process registers exactly these and validates the
 * arguments again (a compromised renderer may send anything).
 */
export interface DesktopInvokeContract {
  [desktopChannels.getAppInfo]: { args: []; result: AppInfo };
}

/**
 * The one object the preload exposes as `window.fleetterm`. It exists only
 * inside the desktop app: the same renderer also runs in a plain browser
 * as the broker's web console, where `window.fleetterm` is undefined.
 */
export interface FleettermDesktopApi {
  /** Versions of the app and its runtime. */
  getAppInfo(): Promise<AppInfo>;
}

/** The global name under which the preload exposes the API. */
export const desktopApiGlobalName = 'fleetterm';
