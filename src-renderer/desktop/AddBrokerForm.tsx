import { useState, type FormEvent } from 'react';
import type { AddProfileRequest, AddProfileTrust, SignInMethod } from '../../common/desktopApi';
import { signInMethodLabels } from './profileText';

export interface AddBrokerFormProps {
  /** Resolves with an error message to show, or undefined once added. */
  onAdd(request: AddProfileRequest): Promise<string | undefined>;
}

type TrustChoice = AddProfileTrust['kind'];

const trustLabels: Record<TrustChoice, string> = {
  confirm: 'Show its CA fingerprint to compare',
  caFile: "Use the CA file from the broker's admin",
  caPin: 'Enter the CA pin (sha256/…)',
};

/**
 * Adds a broker. For https:// main reaches the broker and pins its CA:
 * the fingerprint is confirmed in a native dialog, or the CA comes from a
 * file picked in a native dialog, or from a pin typed here.
 */
export function AddBrokerForm({ onAdd }: AddBrokerFormProps) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [trust, setTrust] = useState<TrustChoice>('confirm');
  const [pin, setPin] = useState('');
  const [signInMethod, setSignInMethod] = useState<SignInMethod>('auto');
  const [status, setStatus] = useState<{ busy: boolean; error?: string }>({ busy: false });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setStatus({ busy: true });
    const request: AddProfileRequest = {
      name,
      url,
      trust: trust === 'caPin' ? { kind: 'caPin', pin } : { kind: trust },
      signInMethod,
    };
    const error = await onAdd(request);
    setStatus({ busy: false, error });
    if (error === undefined) {
      setName('');
      setUrl('');
      setPin('');
    }
  }

  return (
    <form className="account-form" onSubmit={(event) => void submit(event)} aria-labelledby="add-broker-title">
      <h2 id="add-broker-title">Add a broker</h2>
      <label>
        Name
        <input
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="Production"
          maxLength={100}
        />
      </label>
      <label>
        Broker URL
        <input
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="https://broker.example.org:7420"
          required
          spellCheck={false}
          autoCapitalize="off"
        />
      </label>
      <fieldset className="desktop-fieldset">
        <legend>Trust its certificate authority (https:// only)</legend>
        {(Object.keys(trustLabels) as TrustChoice[]).map((choice) => (
          <label key={choice} className="desktop-choice">
            <input type="radio" name="trust" checked={trust === choice} onChange={() => setTrust(choice)} />
            {trustLabels[choice]}
          </label>
        ))}
        {trust === 'caPin' && (
          <label>
            CA pin
            <input
              value={pin}
              onChange={(event) => setPin(event.target.value)}
              placeholder="sha256/…"
              required
              spellCheck={false}
            />
          </label>
        )}
      </fieldset>
      <label>
        Sign in
        <select value={signInMethod} onChange={(event) => setSignInMethod(event.target.value as SignInMethod)}>
          {(Object.keys(signInMethodLabels) as SignInMethod[]).map((method) => (
            <option key={method} value={method}>
              {signInMethodLabels[method]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={status.busy}>
        {status.busy ? 'Reaching the broker…' : 'Add broker'}
      </button>
      {status.error && (
        <p role="alert" className="card__error desktop-pre">
          {status.error}
        </p>
      )}
    </form>
  );
}
