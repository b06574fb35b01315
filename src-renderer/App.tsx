import type { FleettermDesktopApi } from '../common/desktopApi';
import { describeAppInfo } from './appInfoState';
import { Brand } from './Brand';
import { DesktopApp } from './desktop/DesktopApp';
import { DesktopWorkspace } from './desktop/DesktopWorkspace';
import { useAppInfo } from './useAppInfo';
import { WebConsole, type WebLocation } from './webConsole/WebConsole';

export interface AppProps {
  /** window.fleetterm inside the desktop app; undefined when served as the web console. */
  desktopApi: FleettermDesktopApi | undefined;
  /** The page's location when served over http(s) by the broker; undefined elsewhere (file://, tests). */
  location?: WebLocation;
}

/**
 * In the desktop app, the brokers screen and then the workspace
 * (desktop/DesktopApp.tsx); served by the broker, the web console; anywhere
 * else (a file opened in a browser), a placeholder.
 */
export function App({ desktopApi, location }: AppProps) {
  if (desktopApi !== undefined) {
    return (
      <DesktopApp
        api={desktopApi}
        renderWorkspace={(session, leave) => (
          <DesktopWorkspace key={session.profileId} api={desktopApi} session={session} leave={leave} />
        )}
      />
    );
  }
  if (location) {
    return <WebConsole location={location} navigate={(path) => window.history.replaceState(null, '', path)} />;
  }
  return <Placeholder />;
}

function Placeholder() {
  const appInfo = useAppInfo(undefined);
  return (
    <main className="placeholder">
      <Brand as="h1" className="placeholder__title" />
      <p className="placeholder__lead">
        This page is the Fleetterm console: open it from a broker (its web console) or in the desktop app. From a
        terminal, use the <code>fleetterm</code> command
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
