import { useState } from 'react';

export interface RecoveryCodesProps {
  codes: string[];
  onDone: () => void;
}

/** New recovery codes, shown this once: the broker keeps only their hashes. */
export function RecoveryCodes({ codes, onDone }: RecoveryCodesProps) {
  const [copied, setCopied] = useState<string | undefined>(undefined);

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n') + '\n');
      setCopied('Copied. Paste them into your password manager or print them.');
    } catch {
      setCopied('The browser did not allow copying; select the codes and copy them by hand.');
    }
  }

  return (
    <section className="card card--highlight" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Save your recovery codes</h2>
      <p className="card__lead">
        They are shown only now. Each one signs you in once, with your user name, when you have neither a passkey nor
        the authenticator app. Keep them somewhere safe, away from this computer: a password manager or a printout.
      </p>
      <ol className="recovery-codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="card__row">
        <button type="button" className="button--quiet" onClick={() => void copy()}>
          Copy the codes
        </button>
        <button type="button" onClick={onDone}>
          I have saved them
        </button>
      </div>
      {copied && (
        <p role="status" className="card__hint">
          {copied}
        </p>
      )}
    </section>
  );
}
