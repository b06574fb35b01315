import { useState } from 'react';
import { brokerApi, type SignedIn } from './brokerApi';
import { signWithPasskey } from './passkeyPrompt';

export interface CliLoginRequest {
  redirectUri: string;
  codeChallenge: string;
  state: string;
  /** Who asks: the `fleetterm` command or the desktop app (their wording differs, the flow does not). */
  client: 'cli' | 'desktop';
}

/** Reads the request `fleetterm login` (or the desktop app) opened this page with; undefined when it is incomplete. */
export function readCliLoginRequest(search: string): CliLoginRequest | undefined {
  const params = new URLSearchParams(search);
  const redirectUri = params.get('redirect_uri');
  const codeChallenge = params.get('code_challenge');
  const state = params.get('state');
  if (!redirectUri || !codeChallenge || !state || params.get('code_challenge_method') !== 'S256') return undefined;
  return { redirectUri, codeChallenge, state, client: params.get('client') === 'desktop' ? 'desktop' : 'cli' };
}

export interface CliLoginScreenProps {
  request: CliLoginRequest | undefined;
  /** Goes to the command's loopback address with the one-time code. */
  redirect: (url: string) => void;
}

/**
 * `fleetterm login` opened this page: the person confirms with a passkey
 * (a sign-in of its own, so the check is fresh), then the page hands the
 * command a one-time code on its loopback address. The page never sees the
 * command's PKCE verifier; the code is useless without it.
 */
export function CliLoginScreen({ request, redirect }: CliLoginScreenProps) {
  const [status, setStatus] = useState<{ busy: boolean; error?: string; done?: string }>({ busy: false });
  if (!request) {
    return (
      <section className="card" aria-labelledby="cli-title">
        <h1 id="cli-title">Sign in the fleetterm command</h1>
        <p role="alert" className="card__error">
          This page is opened by <code>fleetterm login</code>; the address it was opened with is incomplete. Run the
          command again.
        </p>
      </section>
    );
  }
  const target = new URL(request.redirectUri);

  async function approve() {
    setStatus({ busy: true });
    const started = await brokerApi.signinOptions();
    if (!started.ok) return setStatus({ busy: false, error: started.error.message });
    const response = await signWithPasskey(started.value.options);
    if (!response.ok) return setStatus({ busy: false, error: response.error.message });
    const signedIn: Awaited<ReturnType<typeof brokerApi.signin>> = await brokerApi.signin(response.value);
    if (!signedIn.ok) return setStatus({ busy: false, error: signedIn.error.message });
    const { redirectUri, codeChallenge, state } = request!;
    const authorized = await brokerApi.authorize(signedIn.value.tokens.accessToken, {
      redirectUri,
      codeChallenge,
      state,
    });
    await brokerApi.signout(signedIn.value.tokens.accessToken);
    if (!authorized.ok) return setStatus({ busy: false, error: authorized.error.message });
    setStatus({ busy: false, done: `Signed in as ${describe(signedIn.value)}. You can close this page.` });
    redirect(authorized.value.redirect);
  }

  const desktop = request.client === 'desktop';
  return (
    <section className="card" aria-labelledby="cli-title">
      <h1 id="cli-title">{desktop ? 'Sign in the Fleetterm app' : 'Sign in the fleetterm command'}</h1>
      <p className="card__lead">
        {desktop ? (
          <>The Fleetterm desktop app on this computer (waiting at {target.host}) asks to sign in as you.</>
        ) : (
          <>
            The <code>fleetterm</code> command on this computer (waiting at {target.host}) asks to sign in as you.
          </>
        )}{' '}
        Confirm with your passkey if you started it.
      </p>
      <button type="button" onClick={() => void approve()} disabled={status.busy || status.done !== undefined}>
        {status.busy ? 'Waiting for the passkey…' : 'Confirm with a passkey'}
      </button>
      {status.error && (
        <p role="alert" className="card__error">
          {status.error}
        </p>
      )}
      {status.done && <p role="status">{status.done}</p>}
    </section>
  );
}

const describe = (signedIn: SignedIn) => `${signedIn.user.name} (${signedIn.user.role})`;
