import { useState, type FormEvent } from 'react';
import { brokerApi, type SignedIn } from './brokerApi';
import { createPasskey } from './passkeyPrompt';

export interface RegisterScreenProps {
  /** The secret from the registration link (the part after #). */
  invite: string;
  onRegistered: (signedIn: SignedIn) => void;
}

/** Redeems a one-time registration link: a user name, then a passkey on this device. */
export function RegisterScreen({ invite, onRegistered }: RegisterScreenProps) {
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [passkeyName, setPasskeyName] = useState('this device');
  const [status, setStatus] = useState<{ busy: boolean; error?: string }>({ busy: false });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setStatus({ busy: true });
    const started = await brokerApi.registrationOptions({ invite, name, displayName });
    if (!started.ok) return setStatus({ busy: false, error: started.error.message });
    const response = await createPasskey(started.value.options);
    if (!response.ok) return setStatus({ busy: false, error: response.error.message });
    const registered = await brokerApi.register({
      invite,
      registrationId: started.value.registrationId,
      name,
      displayName,
      passkeyName,
      response: response.value,
    });
    if (!registered.ok) return setStatus({ busy: false, error: registered.error.message });
    onRegistered(registered.value);
  }

  if (!invite) {
    return (
      <section className="card" aria-labelledby="register-title">
        <h1 id="register-title">Register</h1>
        <p role="alert" className="card__error">
          This page needs the whole registration link, including the part after #. Ask an admin for a link.
        </p>
      </section>
    );
  }
  return (
    <form className="card" aria-labelledby="register-title" onSubmit={(event) => void submit(event)}>
      <h1 id="register-title">Create your account</h1>
      <p className="card__lead">Choose a user name, then create a passkey on this device to sign in with.</p>
      <label>
        User name
        <input
          name="name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoComplete="username"
          required
          pattern="[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}"
          title="1 to 64 letters, digits, . _ @ or -"
        />
      </label>
      <label>
        <span>
          Display name <span className="card__hint">(optional)</span>
        </span>
        <input name="displayName" value={displayName} onChange={(event) => setDisplayName(event.target.value)} />
      </label>
      <label>
        <span>
          Passkey name <span className="card__hint">(to tell your passkeys apart)</span>
        </span>
        <input
          name="passkeyName"
          value={passkeyName}
          onChange={(event) => setPasskeyName(event.target.value)}
          required
        />
      </label>
      <button type="submit" disabled={status.busy}>
        {status.busy ? 'Waiting for the passkey…' : 'Create passkey and register'}
      </button>
      {status.error && (
        <p role="alert" className="card__error">
          {status.error}
        </p>
      )}
    </form>
  );
}
