import { useState } from 'react';
import { AccountScreen } from './AccountScreen';
import { brokerApi, type SignedIn } from './brokerApi';
import { CliLoginScreen, readCliLoginRequest } from './CliLoginScreen';
import { RegisterScreen } from './RegisterScreen';
import { SignInScreen } from './SignInScreen';

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
 * link, passkey sign-in, and (for now) who is signed in. The access and
 * refresh secrets live in this component's memory only: a reload signs out.
 */
export function WebConsole({ location, navigate }: WebConsoleProps) {
  const [signedIn, setSignedIn] = useState<SignedIn | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // The signed-in pages; /account before signing in shows the account page once signed in.
  const [page, setPage] = useState<'home' | 'account'>(location.pathname === '/account' ? 'account' : 'home');

  const go = (next: 'home' | 'account') => {
    setPage(next);
    navigate(next === 'account' ? '/account' : '/');
  };

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
  } else if (signedIn) {
    const { user } = signedIn;
    screen = (
      <section className="card" aria-labelledby="home-title">
        <h1 id="home-title">Signed in</h1>
        <p data-testid="signed-in-as">
          {user.displayName || user.name} ({user.name}, {user.role})
        </p>
        <p className="card__lead">
          Terminals arrive with the console; meanwhile use <code>fleetterm</code> with an API token.
        </p>
        <div className="card__row">
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
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
        </div>
      </section>
    );
  } else if (location.pathname === '/register') {
    screen = <RegisterScreen invite={location.hash.replace(/^#/, '')} onRegistered={enter} />;
  } else {
    screen = <SignInScreen onSignedIn={enter} />;
  }
  return (
    <main className={signedIn && page === 'account' ? 'web-console web-console--wide' : 'web-console'}>
      <header className="web-console__brand">
        <span className="placeholder__prompt" aria-hidden="true">
          &gt;_
        </span>{' '}
        Fleetterm
      </header>
      {notice && (
        <p role="status" className="web-console__notice">
          {notice}
        </p>
      )}
      {screen}
    </main>
  );
}
