import type { AppInfo } from '../common/desktopApi';

/** What the console knows about the app it runs in. */
export type AppInfoState =
  { kind: 'browser' } | { kind: 'loading' } | { kind: 'ready'; info: AppInfo } | { kind: 'failed'; message: string };

/** One line for the footer of the placeholder screen. */
export function describeAppInfo(state: AppInfoState): string {
  switch (state.kind) {
    case 'browser':
      return 'Web console (running in a browser, not the desktop app)';
    case 'loading':
      return 'Fleetterm desktop';
    case 'ready': {
      const { appVersion, versions, platform } = state.info;
      return `Fleetterm ${appVersion} · Electron ${versions.electron} · Chromium ${versions.chrome} · Node ${versions.node} · ${platform}`;
    }
    case 'failed':
      return `Fleetterm desktop (version unavailable: ${state.message})`;
  }
}
