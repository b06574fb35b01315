import { AppCodeInput } from './AppCodeInput';
import { useState, type FormEvent } from 'react';
import { accountApi } from './accountApi';
import { signWithPasskey } from './passkeyPrompt';

export interface StepUpPromptProps {
  accessToken: string;
  /** Why the broker asked (its STEP_UP_REQUIRED message). */
  reason: string;
  /** Offer the authenticator app's code as the fallback (when one is set up, or when unknown). */
  offerCode: boolean;
  onConfirmed: () => void;
  onCancel: () => void;
  /**
   * Where the page cannot use passkeys itself (the desktop app's page is not
   * on the broker's origin): confirm in the broker's sign-in window instead.
   * Resolves true once confirmed there.
   */
  elsewhere?: StepUpElsewhere;
}

export interface StepUpElsewhere {
  label: string;
  confirm(): Promise<{ ok: true } | { ok: false; message: string }>;
}

/**
 * "Confirm it's you": a fresh passkey check, or a code from the
 * authenticator app when no passkey is at hand. Shown over the page before a
 * sensitive change the broker refused with STEP_UP_REQUIRED; useStepUp
 * retries the change once this confirms.
 */
export function StepUpPrompt({ accessToken, reason, offerCode, onConfirmed, onCancel, elsewhere }: StepUpPromptProps) {
  const [code, setCode] = useState('');
  const [status, setStatus] = useState<{ busy: boolean; error?: string }>({ busy: false });

  async function withPasskey() {
    setStatus({ busy: true });
    const started = await accountApi.stepUpOptions(accessToken);
    if (!started.ok) return setStatus({ busy: false, error: started.error.message });
    const response = await signWithPasskey(started.value.options);
    if (!response.ok) return setStatus({ busy: false, error: response.error.message });
    const confirmed = await accountApi.stepUp(accessToken, response.value);
    if (!confirmed.ok) return setStatus({ busy: false, error: confirmed.error.message });
    onConfirmed();
  }

  async function inSignInWindow(target: StepUpElsewhere) {
    setStatus({ busy: true });
    const confirmed = await target.confirm();
    if (!confirmed.ok) return setStatus({ busy: false, error: confirmed.message });
    onConfirmed();
  }

  async function withCode(event: FormEvent) {
    event.preventDefault();
    setStatus({ busy: true });
    const confirmed = await accountApi.stepUpWithCode(accessToken, code);
    if (!confirmed.ok) return setStatus({ busy: false, error: confirmed.error.message });
    onConfirmed();
  }

  return (
    <div className="step-up">
      <section
        className="card step-up__dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="step-up-title"
        aria-describedby="step-up-reason"
        onKeyDown={(event) => event.key === 'Escape' && !status.busy && onCancel()}
      >
        <h1 id="step-up-title">Confirm it’s you</h1>
        <p id="step-up-reason" className="card__lead">
          {reason.charAt(0).toUpperCase() + reason.slice(1)}.
        </p>
        {elsewhere ? (
          <button type="button" onClick={() => void inSignInWindow(elsewhere)} disabled={status.busy} autoFocus>
            {status.busy ? 'Waiting…' : elsewhere.label}
          </button>
        ) : (
          <button type="button" onClick={() => void withPasskey()} disabled={status.busy} autoFocus>
            {status.busy ? 'Waiting…' : 'Confirm with a passkey'}
          </button>
        )}
        {offerCode && (
          <form className="step-up__code" onSubmit={(event) => void withCode(event)}>
            <label>
              <span>
                Or a code from your authenticator app <span className="card__hint">(6 digits)</span>
              </span>
              <AppCodeInput value={code} onChange={setCode} />
            </label>
            <button type="submit" className="button--quiet" disabled={status.busy}>
              Confirm with the code
            </button>
          </form>
        )}
        {status.error && (
          <p role="alert" className="card__error">
            {status.error}
          </p>
        )}
        <button type="button" className="button--quiet" onClick={onCancel} disabled={status.busy}>
          Cancel
        </button>
      </section>
    </div>
  );
}
