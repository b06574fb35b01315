import { useState, type ReactNode } from 'react';
import { Brand } from '../Brand';
import type { FleettermDesktopApi } from '../../common/desktopApi';
import { describeAppInfo } from '../appInfoState';
import { useAppInfo } from '../useAppInfo';
import type { DesktopSession } from './desktopSession';
import { ProfilesScreen } from './ProfilesScreen';

export interface DesktopAppProps {
  api: FleettermDesktopApi;
  /**
   * The console for a signed-in broker. `leave(notice)` goes back to the
   * brokers (after a sign-out, or when `accessToken()` rejects with
   * SIGNED_OUT), showing the notice there.
   */
  renderWorkspace?: (session: DesktopSession, leave: (notice?: string) => void) => ReactNode;
}

/** The desktop app: the brokers screen until one is signed in, then the workspace for it. */
export function DesktopApp({ api, renderWorkspace }: DesktopAppProps) {
  const [session, setSession] = useState<DesktopSession | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const appInfo = useAppInfo(api);
  const leave = (why?: string) => {
    setSession(undefined);
    setNotice(why);
  };

  if (session) {
    return renderWorkspace ? renderWorkspace(session, leave) : <SignedIn session={session} leave={leave} />;
  }
  return (
    <>
      <ProfilesScreen
        api={api}
        notice={notice}
        onSignedIn={(next) => {
          setNotice(undefined);
          setSession(next);
        }}
      />
      <footer className="placeholder__footer" data-testid="app-info">
        {describeAppInfo(appInfo)}
      </footer>
    </>
  );
}

/** Until the workspace is plugged in: who is signed in where, and the way back. */
function SignedIn({ session, leave }: { session: DesktopSession; leave: (notice?: string) => void }) {
  return (
    <main className="web-console web-console--wide">
      <Brand />
      <section className="card desktop-session" data-testid="desktop-signed-in">
        <p>
          Signed in to <strong>{session.brokerName}</strong> ({session.brokerUrl}) as{' '}
          <strong>{session.user.name}</strong> ({session.user.role}).
        </p>
        <button type="button" className="button--quiet" onClick={() => leave()}>
          Back to brokers
        </button>
      </section>
    </main>
  );
}
