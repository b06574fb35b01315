import { useState } from 'react';
import { brokerApi, type SignedIn } from './brokerApi';
import { RegisterScreen } from './RegisterScreen';
import { SignInScreen } from './SignInScreen';

/** Where the page is: the broker serves the same page for every path. */
export interface WebLocation {
  pathname: string;
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

  const enter = (next: SignedIn) => {
    setSignedIn(next);
    setNotice(undefined);
    navigate('/');
  };

  async function signOut() {
    if (signedIn) await brokerApi.signout(signedIn.tokens.accessToken);
    setSignedIn(undefined);
    setNotice('You are signed out.');
  }

  let screen;
  if (signedIn) {
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
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </section>
    );
  } else if (location.pathname === '/register') {
    screen = <RegisterScreen invite={location.hash.replace(/^#/, '')} onRegistered={enter} />;
  } else {
    screen = <SignInScreen onSignedIn={enter} />;
  }
  return (
    <main className="web-console">
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
