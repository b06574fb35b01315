// First: zod must be told before common/protocol's schemas are built (see zodCsp.ts).
import '../console/zodCsp';
import { Brand } from '../Brand';
import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchMachines } from '../console/machinesApi';
import type { ConsoleStore } from '../console/store/consoleStore';
import { ConsoleStoreContext } from '../console/store/useConsoleStore';
import { isMac } from '../../common/consoleCommands';
import { openPersistedWorkspace } from '../console/workspace/persistWorkspace';
import { Workspace } from '../console/workspace/Workspace';
import { systemTimers } from '../../common/client';
import type { Disposable } from '../../common/disposable';
import { AccountScreen } from './AccountScreen';
import { brokerApi, type SignedIn } from './brokerApi';
import { CliLoginScreen, readCliLoginRequest } from './CliLoginScreen';
import { RegisterScreen } from './RegisterScreen';
import { SignInScreen } from './SignInScreen';
import { TokenRefresher } from './tokenRefresher';

/** Where the page is: the broker serves the same page for every path. */
export interface WebLocation {
  pathname: string;
  search: string;
  hash: string;
}

export interface WebConsoleProps {
  location: WebLocation;
  /** Moves to a path without a reload (and drops the registration secret from the address bar). */
  navigate: (path: string) => void;
}

/**
 * The web console as served by the broker: registration from a one-time
 * link, passkey sign-in, then the workspace (machines, tabs, panes,
 * broadcast). The access and refresh secrets live in this component's
 * memory only (a reload signs out); the access token is refreshed a minute
 * before it ends. The workspace and settings are kept in localStorage per
 * person and restored at the next sign-in, each pane taking its session up.
 */
export function WebConsole({ location, navigate }: WebConsoleProps) {
  const [signedIn, setSignedInState] = useState<SignedIn | undefined>(undefined);
  // The console's store lives as long as a sign-in; it reads the access token at each request.
  const [store, setStore] = useState<ConsoleStore | undefined>(undefined);
  const accessToken = useRef('');
  // Stable, so the terminal is not made anew at each render; reads the token at each use.
  const currentToken = useCallback(() => accessToken.current, []);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // The signed-in pages; /account before signing in shows the account page once signed in.
  const [page, setPage] = useState<'home' | 'account'>(location.pathname === '/account' ? 'account' : 'home');

  const go = (next: 'home' | 'account') => {
    setPage(next);
    navigate(next === 'account' ? '/account' : '/');
  };

  const refresher = useRef<TokenRefresher | undefined>(undefined);
  useEffect(() => () => refresher.current?.dispose(), []);
  const persistence = useRef<Disposable | undefined>(undefined);
  useEffect(() => () => persistence.current?.dispose(), []);

  const setSignedIn = (next: SignedIn | undefined) => {
    setSignedInState(next);
    accessToken.current = next?.tokens.accessToken ?? '';
    refresher.current?.dispose();
    refresher.current = next
      ? new TokenRefresher({
          tokens: next.tokens,
          refresh: (secret) => brokerApi.refresh(secret),
          onTokens: (tokens) => {
            accessToken.current = tokens.accessToken;
            setSignedInState((current) => (current ? { ...current, tokens } : current));
          },
          onEnded: (message) => endSignIn(message),
        })
      : undefined;
    persistence.current?.dispose();
    persistence.current = undefined;
    store?.getState().reset();
    if (!next) return setStore(undefined);
    const opened = openPersistedWorkspace({
      storage: window.localStorage,
      owner: `${window.location.origin}#${next.user.name}`,
      fetchMachines: () => fetchMachines(accessToken.current),
      page: window,
      timers: systemTimers,
    });
    persistence.current = opened;
    setStore(opened.store);
  };

  const endSignIn = (why: string) => {
    setSignedIn(undefined);
    setNotice(`Your sign-in has ended (${why}); sign in again.`);
    go('home');
  };
  const signInAgain = () => endSignIn('the broker no longer accepts it');

  const enter = (next: SignedIn) => {
    setSignedIn(next);
    setNotice(undefined);
    navigate(page === 'account' ? '/account' : '/');
  };

  const signedOutEverywhere = (sessionsEnded: number) => {
    setSignedIn(undefined);
    setNotice(
      `You are signed out everywhere (${sessionsEnded === 1 ? '1 sign-in' : `${sessionsEnded} sign-ins`} ended).`,
    );
    go('home');
  };

  async function signOut() {
    if (signedIn) await brokerApi.signout(signedIn.tokens.accessToken);
    setSignedIn(undefined);
    setNotice('You are signed out.');
    go('home');
  }

  let screen;
  if (location.pathname === '/cli-login') {
    screen = (
      <CliLoginScreen request={readCliLoginRequest(location.search)} redirect={(url) => window.location.assign(url)} />
    );
  } else if (signedIn && page === 'account') {
    screen = (
      <AccountScreen
        accessToken={signedIn.tokens.accessToken}
        onBack={() => go('home')}
        onSignedOutEverywhere={signedOutEverywhere}
      />
    );
  } else if (signedIn && store) {
    screen = (
      <ConsoleStoreContext.Provider value={store}>
        <Workspace
          key={signedIn.tokens.sessionId}
          store={store}
          brokerOrigin={window.location.origin}
          accessToken={currentToken}
          mac={isMac(navigator.platform)}
          onSignInAgain={signInAgain}
        />
      </ConsoleStoreContext.Provider>
    );
  } else if (location.pathname === '/register') {
    screen = <RegisterScreen invite={location.hash.replace(/^#/, '')} onRegistered={enter} />;
  } else {
    screen = <SignInScreen onSignedIn={enter} />;
  }
  const home = signedIn !== undefined && page === 'home' && location.pathname !== '/cli-login';
  const width = home ? ' web-console--workspace' : signedIn && page === 'account' ? ' web-console--wide' : '';
  return (
    <main className={`web-console${width}`}>
      <div className="web-console__top">
        <Brand />
        {home && (
          <nav className="web-console__account" aria-label="Your sign-in">
            <span className="web-console__who">
              Signed in as{' '}
              <strong data-testid="signed-in-as">
                {signedIn.user.displayName || signedIn.user.name} ({signedIn.user.name}, {signedIn.user.role})
              </strong>
            </span>
            <a
              href="/account"
              className="web-console__link"
              onClick={(event) => {
                event.preventDefault();
                go('account');
              }}
            >
              Your account
            </a>
            <button type="button" className="web-console__signout" onClick={() => void signOut()}>
              Sign out
            </button>
          </nav>
        )}
      </div>
      {notice && (
        <p role="status" className="web-console__notice">
          {notice}
        </p>
      )}
      {screen}
    </main>
  );
}
