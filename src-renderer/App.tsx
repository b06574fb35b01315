import type { FleettermDesktopApi } from '../common/desktopApi';
import { describeAppInfo } from './appInfoState';
import { useAppInfo } from './useAppInfo';
import { WebConsole, type WebLocation } from './webConsole/WebConsole';

export interface AppProps {
  /** window.fleetterm inside the desktop app; undefined when served as the web console. */
  desktopApi: FleettermDesktopApi | undefined;
  /** The page's location when served over http(s) by the broker; undefined elsewhere (file://, tests). */
  location?: WebLocation;
}

/**
 * Served by the broker, the page is the web console (registration and sign-in
 * for now); in the desktop app, a placeholder until the console issue
 * connects the app to a broker.
 */
export function App({ desktopApi, location }: AppProps) {
  if (desktopApi === undefined && location) {
    return <WebConsole location={location} navigate={(path) => window.history.replaceState(null, '', path)} />;
  }
  return <DesktopPlaceholder desktopApi={desktopApi} />;
}

function DesktopPlaceholder({ desktopApi }: Pick<AppProps, 'desktopApi'>) {
  const appInfo = useAppInfo(desktopApi);
  return (
    <main className="placeholder">
      <h1 className="placeholder__title">
        <span className="placeholder__prompt" aria-hidden="true">
          &gt;_
        </span>{' '}
        Fleetterm
      </h1>
      <p className="placeholder__lead">
        Fleetterm console: coming in the console issue. Meanwhile use the <code>fleetterm</code> command
      </p>
      <pre className="placeholder__commands" aria-label="Commands to try">
        {['fleetterm ls', 'fleetterm shell MACHINE', 'fleetterm exec --label role=web -- uptime'].join('\n')}
      </pre>
      <footer className="placeholder__footer" data-testid="app-info">
        {describeAppInfo(appInfo)}
      </footer>
    </main>
  );
}
