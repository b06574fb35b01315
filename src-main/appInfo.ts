import type { AppInfo } from '../common/desktopApi';

export interface AppInfoSource {
  appVersion: string;
  /** `process.versions` of the main process; Electron adds `electron` and `chrome`. */
  versions: Readonly<Record<string, string | undefined>>;
  platform: string;
}

/** Builds the answer to `getAppInfo`; a missing runtime version reads `unknown` rather than failing. */
export function buildAppInfo(source: AppInfoSource): AppInfo {
  return {
    appVersion: source.appVersion,
    versions: {
      electron: source.versions['electron'] ?? 'unknown',
      chrome: source.versions['chrome'] ?? 'unknown',
      node: source.versions['node'] ?? 'unknown',
    },
    platform: source.platform,
  };
}
