import type { FleettermDesktopApi } from '../common/desktopApi';
import { describeAppInfo } from './appInfoState';
import { useAppInfo } from './useAppInfo';

export interface AppProps {
  /** window.fleetterm inside the desktop app; undefined when served as the web console. */
  desktopApi: FleettermDesktopApi | undefined;
}

/** Placeholder screen until the console issue brings the real UI. */
export function App({ desktopApi }: AppProps) {
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
