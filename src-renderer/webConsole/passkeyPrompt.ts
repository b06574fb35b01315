import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { ApiResult } from './brokerApi';

/** What the browser's own refusals mean for the person at the screen. */
function describe(error: unknown): string {
  // @simplewebauthn/browser's WebAuthnError carries a code (the class itself is not exported).
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERROR_CEREMONY_ABORTED') return 'the passkey prompt was closed; try again';
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'this device already has a passkey here';
  if (error instanceof Error && error.name === 'NotAllowedError') {
    return 'no passkey was given: the prompt was cancelled or timed out, or your authenticator could not verify you (PIN, fingerprint or face); try again';
  }
  if (error instanceof Error && error.name === 'SecurityError') {
    return 'the browser refused passkeys on this page: open the broker by its name (not an IP address) over HTTPS';
  }
  return error instanceof Error ? error.message : String(error);
}

/** Asks the browser to create a passkey for these options (from the broker). */
export async function createPasskey(options: unknown): Promise<ApiResult<unknown>> {
  try {
    return { ok: true, value: await startRegistration({ optionsJSON: options as never }) };
  } catch (error) {
    return { ok: false, error: { code: 'PASSKEY_PROMPT', message: describe(error) } };
  }
}

/** Asks the browser to sign with one of this site's passkeys. */
export async function signWithPasskey(options: unknown): Promise<ApiResult<unknown>> {
  try {
    return { ok: true, value: await startAuthentication({ optionsJSON: options as never }) };
  } catch (error) {
    return { ok: false, error: { code: 'PASSKEY_PROMPT', message: describe(error) } };
  }
}
