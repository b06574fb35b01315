import { useCallback, useEffect, useState } from 'react';
import { accountApi, type AccountOverview, type TotpEnrolment } from './accountApi';
import { AuthenticatorApp } from './AuthenticatorApp';
import type { ApiResult } from './brokerApi';
import { formatMinutes, formatWhen } from './formatWhen';
import { createPasskey } from './passkeyPrompt';
import { PasskeyList } from './PasskeyList';
import { RecoveryCodes } from './RecoveryCodes';
import { STEP_UP_CANCELLED, useStepUp } from './useStepUp';

export interface AccountScreenProps {
  accessToken: string;
  onBack: () => void;
  /** Every sign-in ended, this one included. */
  onSignedOutEverywhere: (sessionsEnded: number) => void;
  /** What the page shows before the broker answers (tests render with it). */
  initial?: AccountOverview;
}

interface Status {
  busy: boolean;
  error?: string;
  notice?: string;
}

/**
 * The account page: passkeys (add, rename, remove), the authenticator app
 * with its recovery codes, and ending every sign-in. Changes that add or
 * remove a way in go through the step-up prompt when the broker asks.
 */
export function AccountScreen({ accessToken, onBack, onSignedOutEverywhere, initial }: AccountScreenProps) {
  const [overview, setOverview] = useState<AccountOverview | undefined>(initial);
  const [status, setStatus] = useState<Status>({ busy: false });
  const [enrolment, setEnrolment] = useState<TotpEnrolment | undefined>(undefined);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | undefined>(undefined);
  const [confirmingSignOut, setConfirmingSignOut] = useState(false);
  const { guard, prompt } = useStepUp(accessToken, overview?.totp.enrolled ?? true);

  const reload = useCallback(async () => {
    const answer = await accountApi.overview(accessToken);
    if (answer.ok) setOverview(answer.value);
    else setStatus({ busy: false, error: answer.error.message });
  }, [accessToken]);

  useEffect(() => {
    void reload();
  }, [reload]);

  /** Runs a change through the step-up, shows its outcome, and reloads the page's facts. */
  async function change<T>(run: () => Promise<ApiResult<T>>, notice: (value: T) => string): Promise<T | undefined> {
    setStatus({ busy: true });
    const answer = await guard(run);
    if (!answer.ok) {
      setStatus(
        answer.error.code === STEP_UP_CANCELLED ? { busy: false } : { busy: false, error: answer.error.message },
      );
      return undefined;
    }
    setStatus({ busy: false, notice: notice(answer.value) });
    await reload();
    return answer.value;
  }

  const addPasskey = async (name: string) => {
    const added = await change(
      async () => {
        const started = await accountApi.passkeyOptions(accessToken);
        if (!started.ok) return started;
        const response = await createPasskey(started.value.options);
        if (!response.ok) return response;
        return accountApi.addPasskey(accessToken, name, response.value);
      },
      (value) => `Passkey “${value.passkey.name}” added.`,
    );
    return added !== undefined;
  };

  const rename = (id: string, name: string) =>
    void change(
      () => accountApi.renamePasskey(accessToken, id, name),
      () => `Passkey renamed to “${name.trim()}”.`,
    );

  const remove = (id: string) => {
    const name = overview?.passkeys.find((passkey) => passkey.id === id)?.name ?? 'the passkey';
    void change(
      () => accountApi.removePasskey(accessToken, id),
      () => `Passkey “${name}” removed.`,
    );
  };

  const beginTotp = async () => {
    const begun = await change(
      () => accountApi.totpBegin(accessToken),
      () => '',
    );
    if (begun) setEnrolment(begun);
  };

  const confirmTotp = async (code: string) => {
    const confirmed = await change(
      () => accountApi.totpConfirm(accessToken, code),
      () => 'Authenticator app set up.',
    );
    if (!confirmed) return false;
    setEnrolment(undefined);
    setRecoveryCodes(confirmed.recoveryCodes);
    return true;
  };

  const newRecoveryCodes = async () => {
    const made = await change(
      () => accountApi.regenerateRecoveryCodes(accessToken),
      () => 'New recovery codes made; the old ones no longer work.',
    );
    if (made) setRecoveryCodes(made.recoveryCodes);
  };

  async function signOutEverywhere() {
    setStatus({ busy: true });
    const ended = await accountApi.signOutEverywhere(accessToken);
    if (!ended.ok) return setStatus({ busy: false, error: ended.error.message });
    onSignedOutEverywhere(ended.value.sessionsEnded);
  }

  const back = (
    <a
      href="/"
      className="web-console__link"
      onClick={(event) => {
        event.preventDefault();
        onBack();
      }}
    >
      ← Back
    </a>
  );
  if (!overview) {
    return (
      <section className="card" aria-labelledby="account-title" aria-busy={!status.error}>
        <h1 id="account-title">Your account</h1>
        {status.error ? (
          <p role="alert" className="card__error">
            {status.error}
          </p>
        ) : (
          <p className="card__lead">Loading…</p>
        )}
        {back}
      </section>
    );
  }

  const { user, signin, now } = overview;
  return (
    <>
      <section className="card" aria-labelledby="account-title">
        <div className="card__row card__row--spread">
          <h1 id="account-title">Your account</h1>
          {back}
        </div>
        <p data-testid="account-user">
          {user.displayName || user.name} ({user.name}, {user.role})
        </p>
        <p className="card__lead">
          You last confirmed it’s you {formatWhen(signin.verifiedAt, now)}. Adding or removing a way in needs a check
          within {formatMinutes(signin.stepUpWindowMs)}; you will be asked when it is older.
        </p>
        {status.error && (
          <p role="alert" className="card__error">
            {status.error}
          </p>
        )}
        {status.notice && (
          <p role="status" className="card__notice">
            {status.notice}
          </p>
        )}
      </section>
      {recoveryCodes && <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(undefined)} />}
      <PasskeyList
        passkeys={overview.passkeys}
        now={now}
        busy={status.busy}
        onAdd={addPasskey}
        onRename={rename}
        onRemove={remove}
      />
      <AuthenticatorApp
        totp={overview.totp}
        enrolment={enrolment}
        busy={status.busy}
        onBegin={() => void beginTotp()}
        onConfirm={confirmTotp}
        onCancel={() => setEnrolment(undefined)}
        onNewRecoveryCodes={() => void newRecoveryCodes()}
      />
      <section className="card" aria-labelledby="signins-title">
        <h2 id="signins-title">Sign-ins</h2>
        <p className="card__lead">
          Lost a device, or signed in somewhere you should not have? End every sign-in of your account, this one
          included. Passkeys and the app stay; you sign in again.
        </p>
        {confirmingSignOut ? (
          <div className="card__row">
            <button type="button" className="button--danger" onClick={() => void signOutEverywhere()}>
              Yes, sign out everywhere
            </button>
            <button type="button" className="button--quiet" onClick={() => setConfirmingSignOut(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="button--quiet" onClick={() => setConfirmingSignOut(true)}>
            Sign out everywhere
          </button>
        )}
      </section>
      {prompt}
    </>
  );
}
