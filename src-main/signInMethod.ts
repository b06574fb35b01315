import type { SignInMethod } from '../common/desktopApi';

/**
 * Where the broker's sign-in page runs for `auto`. Electron has no
 * WebAuthn UI of its own: on Windows the system's dialog (webauthn.dll)
 * does it all, so the sandboxed app window works; on macOS it has no
 * platform authenticator (Touch ID, iCloud Keychain passkeys) and on Linux
 * no way to ask for a security key's PIN, so the system browser does the
 * ceremony there and hands the code back on the loopback redirect.
 */
export function resolveSignInMethod(method: SignInMethod, platform: string): 'window' | 'browser' {
  if (method !== 'auto') return method;
  return platform === 'win32' ? 'window' : 'browser';
}
