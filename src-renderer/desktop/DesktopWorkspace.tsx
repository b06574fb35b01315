import { useCallback, useEffect, useRef, useState } from 'react';
import { Brand } from '../Brand';
import { systemTimers } from '../../common/client';
import { isMac, type CommandId } from '../../common/consoleCommands';
import type { FleettermDesktopApi } from '../../common/desktopApi';
import { toDisposable } from '../../common/disposable';
import { fetchMachines } from '../console/machinesApi';
import { ConsoleStoreContext } from '../console/store/useConsoleStore';
import { openPersistedWorkspace } from '../console/workspace/persistWorkspace';
import { Workspace } from '../console/workspace/Workspace';
import { setBrokerBase } from '../webConsole/brokerApi';
import { DesktopSessionError, type DesktopSession } from './desktopSession';

export interface DesktopWorkspaceProps {
  api: FleettermDesktopApi;
  session: DesktopSession;
  /** Back to the brokers screen, with why. */
  leave(notice?: string): void;
}

/** Main answers from memory until a token's last minute, so asking this often keeps the page's copy fresh. */
const TOKEN_POLL_MS = 20_000;

/**
 * The workspace for a broker signed in through the desktop app: the same
 * console as the web console, talking to the broker the profile names,
 * with the access token from main (which keeps the refresh secret), the
 * menus' commands, and the step-up done in the broker's sign-in window
 * (this page is not on the broker's origin, so it cannot use passkeys).
 */
export function DesktopWorkspace({ api, session, leave }: DesktopWorkspaceProps) {
  const token = useRef('');
  const [ready, setReady] = useState(false);
  // Why no token came from main yet (the broker unreachable, say): shown instead of a silent "Connecting…".
  const [problem, setProblem] = useState<string | undefined>(undefined);
  // A new sign-in (a step-up) gives a new token for a new sign-in session: the console link starts over with it.
  const [generation, setGeneration] = useState(0);
  const [opened] = useState(() => {
    setBrokerBase(session.brokerUrl);
    return openPersistedWorkspace({
      storage: window.localStorage,
      owner: `${session.brokerUrl}#${session.user.name}`,
      fetchMachines: () => fetchMachines(token.current),
      page: window,
      timers: systemTimers,
    });
  });
  const store = opened.store;
  useEffect(() => () => opened.dispose(), [opened]);

  // The latest `leave`, without restarting the token refresh when the parent renders.
  const leaveRef = useRef(leave);
  useEffect(() => {
    leaveRef.current = leave;
  });

  useEffect(() => {
    let stopped = false;
    const refresh = async () => {
      try {
        const next = await session.accessToken();
        if (stopped) return;
        token.current = next;
        setReady(true);
        setProblem(undefined);
      } catch (error) {
        if (stopped) return;
        if (error instanceof DesktopSessionError && error.code === 'SIGNED_OUT') return leaveRef.current(error.message);
        setProblem(error instanceof Error ? error.message : String(error));
      }
    };
    void refresh();
    const timer = window.setInterval(() => void refresh(), TOKEN_POLL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [session]);

  const subscribeCommands = useCallback(
    (listener: (id: CommandId) => void) => toDisposable(api.onCommand((command) => listener(command))),
    [api],
  );

  const stepUpElsewhere = {
    label: 'Confirm in the sign-in window',
    confirm: async () => {
      const signed = await api.signIn(session.profileId);
      if (!signed.ok) return { ok: false as const, message: signed.error.message };
      token.current = signed.value.accessToken;
      setGeneration((current) => current + 1);
      return { ok: true as const };
    },
  };

  const signOut = async () => {
    await api.signOut(session.profileId);
    leave(`Signed out of ${session.brokerName}.`);
  };

  return (
    <main className="web-console web-console--workspace">
      <div className="web-console__top">
        <Brand />
        <nav className="web-console__account" aria-label="Your sign-in">
          <span className="web-console__who">
            <strong>{session.brokerName}</strong> as{' '}
            <strong data-testid="signed-in-as">
              {session.user.name} ({session.user.role})
            </strong>
          </span>
          <button type="button" className="web-console__signout" onClick={() => leave()}>
            Brokers
          </button>
          <button type="button" className="web-console__signout" onClick={() => void signOut()}>
            Sign out
          </button>
        </nav>
      </div>
      {ready ? (
        <ConsoleStoreContext.Provider value={store}>
          <Workspace
            key={generation}
            store={store}
            brokerOrigin={session.brokerUrl}
            accessToken={() => token.current}
            mac={isMac(navigator.platform)}
            onSignInAgain={() => leave(`Your sign-in to ${session.brokerName} has ended; sign in again.`)}
            stepUpElsewhere={stepUpElsewhere}
            subscribeCommands={subscribeCommands}
          />
        </ConsoleStoreContext.Provider>
      ) : (
        <p role="status" className="card__hint">
          {problem
            ? `Could not get a sign-in for ${session.brokerName}: ${problem}. Trying again every ${TOKEN_POLL_MS / 1000} s; use Brokers to go back.`
            : `Connecting to ${session.brokerName}…`}
        </p>
      )}
    </main>
  );
}
