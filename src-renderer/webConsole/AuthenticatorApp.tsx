import { AppCodeInput } from './AppCodeInput';
import { useState, type FormEvent } from 'react';
import type { TotpEnrolment, TotpInfo } from './accountApi';
import { QrCode } from './QrCode';

export interface AuthenticatorAppProps {
  totp: TotpInfo;
  /** The secret being set up, between "set up" and the first code. */
  enrolment: TotpEnrolment | undefined;
  busy: boolean;
  onBegin: () => void;
  /** True when the code was accepted (the field then empties). */
  onConfirm: (code: string) => Promise<boolean>;
  onCancel: () => void;
  onNewRecoveryCodes: () => void;
}

/** Base32 in groups of four, as apps that take the secret by hand print it. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/** The authenticator app (TOTP): set it up with a QR code and a first code; then new recovery codes. */
export function AuthenticatorApp(props: AuthenticatorAppProps) {
  const { totp, enrolment, busy } = props;
  return (
    <section className="card" aria-labelledby="totp-title">
      <h2 id="totp-title">Authenticator app</h2>
      {enrolment ? (
        <Enrol enrolment={enrolment} busy={busy} onConfirm={props.onConfirm} onCancel={props.onCancel} />
      ) : totp.enrolled ? (
        <>
          <p className="card__lead" data-testid="totp-status">
            Set up. Its codes sign you in with your user name and confirm it’s you when no passkey is at hand.{' '}
            {totp.recoveryCodesLeft === 1 ? '1 recovery code left.' : `${totp.recoveryCodesLeft} recovery codes left.`}
          </p>
          {totp.lockedUntil !== null && (
            <p role="alert" className="card__error">
              Too many wrong codes: codes are refused until {new Date(totp.lockedUntil).toLocaleTimeString()}.
            </p>
          )}
          <button type="button" className="button--quiet" onClick={props.onNewRecoveryCodes} disabled={busy}>
            Make new recovery codes
          </button>
        </>
      ) : (
        <>
          <p className="card__lead">
            A second way in when no passkey is at hand: an app such as Aegis, Google Authenticator or 1Password shows a
            new 6-digit code every 30 seconds.
          </p>
          <button type="button" onClick={props.onBegin} disabled={busy}>
            Set up an authenticator app
          </button>
        </>
      )}
    </section>
  );
}

interface EnrolProps {
  enrolment: TotpEnrolment;
  busy: boolean;
  onConfirm: (code: string) => Promise<boolean>;
  onCancel: () => void;
}

function Enrol({ enrolment, busy, onConfirm, onCancel }: EnrolProps) {
  const [code, setCode] = useState('');

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (await onConfirm(code)) setCode('');
  }

  return (
    <form className="account-form" onSubmit={(event) => void confirm(event)}>
      <p className="card__lead">Scan this code with the app, then type the 6-digit code it shows.</p>
      <QrCode svg={enrolment.qrSvg} label="QR code to scan with the authenticator app" />
      <p className="card__hint">
        No camera? Type this secret into the app instead:{' '}
        <code className="totp-secret" data-testid="totp-secret">
          {grouped(enrolment.secret)}
        </code>
      </p>
      <label>
        Code from the app
        <AppCodeInput value={code} onChange={setCode} />
      </label>
      <div className="card__row">
        <button type="submit" disabled={busy}>
          Confirm and finish
        </button>
        <button type="button" className="button--quiet" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
