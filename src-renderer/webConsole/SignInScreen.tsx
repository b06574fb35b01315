import { useState } from 'react';
import { brokerApi, type SignedIn } from './brokerApi';
import { signWithPasskey } from './passkeyPrompt';

export interface SignInScreenProps {
  onSignedIn: (signedIn: SignedIn) => void;
}

/** Username-less sign-in: the browser offers this site's passkeys; the passkey says who you are. */
export function SignInScreen({ onSignedIn }: SignInScreenProps) {
  const [status, setStatus] = useState<{ busy: boolean; error?: string }>({ busy: false });

  async function signIn() {
    setStatus({ busy: true });
    const started = await brokerApi.signinOptions();
    if (!started.ok) return setStatus({ busy: false, error: started.error.message });
    const response = await signWithPasskey(started.value.options);
    if (!response.ok) return setStatus({ busy: false, error: response.error.message });
    const signedIn = await brokerApi.signin(response.value);
    if (!signedIn.ok) return setStatus({ busy: false, error: signedIn.error.message });
    onSignedIn(signedIn.value);
  }

  return (
    <section className="card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to Fleetterm</h1>
      <p className="card__lead">Use the passkey you registered on this device or on your phone.</p>
      <button type="button" onClick={() => void signIn()} disabled={status.busy}>
        {status.busy ? 'Waiting for the passkey…' : 'Sign in with a passkey'}
      </button>
      {status.error && (
        <p role="alert" className="card__error">
          {status.error}
        </p>
      )}
    </section>
  );
}
