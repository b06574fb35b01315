// The signed-in person's own endpoints: the account page, the step-up and
// the authenticator app (docs/PROTOCOL.md, "HTTP API").
import { call, type SignedInUser } from './brokerApi';

export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** Synced to more than one device (a phone's or a password manager's passkey). */
  backedUp: boolean;
}

export interface TotpInfo {
  enrolled: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
  lockedUntil: number | null;
}

export interface AccountOverview {
  user: SignedInUser;
  passkeys: PasskeyInfo[];
  totp: TotpInfo;
  signin: { sessionId: string; verifiedAt: number; stepUpWindowMs: number; stepUpUntil: number; expiresAt: number };
  /** The broker's clock when it answered. */
  now: number;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/** The code the broker answers when a change needs a fresh passkey or TOTP check. */
export const STEP_UP_REQUIRED = 'STEP_UP_REQUIRED';

export const accountApi = {
  overview: (token: string) => call<AccountOverview>('/api/v1/account', { method: 'GET', token }),
  passkeyOptions: (token: string) =>
    call<{ options: unknown }>('/api/v1/account/passkeys/options', { body: {}, token }),
  addPasskey: (token: string, passkeyName: string, response: unknown) =>
    call<{ passkey: PasskeyInfo }>('/api/v1/account/passkeys', { body: { passkeyName, response }, token }),
  renamePasskey: (token: string, id: string, name: string) =>
    call<{ renamed: true }>('/api/v1/account/passkeys/rename', { body: { id, name }, token }),
  removePasskey: (token: string, id: string) =>
    call<{ removed: true }>('/api/v1/account/passkeys/remove', { body: { id }, token }),
  regenerateRecoveryCodes: (token: string) =>
    call<{ recoveryCodes: string[] }>('/api/v1/account/recovery-codes', { body: {}, token }),
  signOutEverywhere: (token: string) =>
    call<{ sessionsEnded: number }>('/api/v1/account/signout-everywhere', { body: {}, token }),
  totpBegin: (token: string) => call<TotpEnrolment>('/api/v1/totp/begin', { body: {}, token }),
  totpConfirm: (token: string, code: string) =>
    call<{ recoveryCodes: string[] }>('/api/v1/totp/confirm', { body: { code }, token }),
  stepUpOptions: (token: string) => call<{ options: unknown }>('/api/v1/stepup/options', { body: {}, token }),
  stepUp: (token: string, response: unknown) =>
    call<{ verifiedAt: number }>('/api/v1/stepup', { body: { response }, token }),
  stepUpWithCode: (token: string, code: string) =>
    call<{ verifiedAt: number }>('/api/v1/stepup/totp', { body: { code }, token }),
};
