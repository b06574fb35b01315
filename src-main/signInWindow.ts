import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { DesktopError } from '../common/desktopApi';
import type { Disposable } from '../common/disposable';
import { policyAllowing, type NavigationPolicy } from './navigationPolicy';
import type { SignInWindowHandle, SignInWindowRequest } from './signIns';
import { lockedDownWebPreferences } from './windowOptions';

/**
 * The session of a profile's sign-in windows: in memory only (no
 * `persist:`), apart from the console's, so the broker page's cookies and
 * storage never meet the app page and vanish with the app.
 */
export function signInPartition(profileId: string): string {
  return `fleetterm-sign-in-${profileId}`;
}

/**
 * The sign-in window shows the broker's own page (WebAuthn must run on the
 * broker's origin). It is a web page like any other: the locked-down
 * preferences and NO preload, so the page has no way to reach main.
 */
export function signInWindowOptions(input: { partition: string; brokerName: string }): BrowserWindowConstructorOptions {
  return {
    title: `Sign in to ${input.brokerName}`,
    width: 520,
    height: 720,
    show: false,
    autoHideMenuBar: true,
    webPreferences: { ...lockedDownWebPreferences(), partition: input.partition },
  };
}

/**
 * Where the sign-in window may go: the broker's sign-in origin, and the
 * app's own loopback redirect (exactly that address and path), which
 * carries the one-time code back. Web links go to the system browser;
 * nothing opens another window.
 */
export function createSignInNavigationPolicy(consoleUrl: string, redirectUri: string): NavigationPolicy {
  const console = new URL(consoleUrl);
  const redirect = new URL(redirectUri);
  const isAppUrl = (url: string): boolean => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return false;
    }
    if (target.username !== '' || target.password !== '') return false;
    if (target.protocol === console.protocol && target.host === console.host) return true;
    return (
      target.protocol === redirect.protocol && target.host === redirect.host && target.pathname === redirect.pathname
    );
  };
  return policyAllowing(isAppUrl);
}

export interface SignInWindowDeps {
  createWindow(options: BrowserWindowConstructorOptions): BrowserWindow;
  /**
   * Prepares the partition's session (pinned CA verifier, no permissions)
   * and makes the app-wide navigation guards use `policy` for its pages
   * (appSecurity.ts policyFor); the disposer drops the policy.
   */
  preparePartition(partition: string, policy: NavigationPolicy): Disposable;
  brokerName(profileId: string): string;
  onError(message: string, error: unknown): void;
}

/** Opens the broker's sign-in page in its own sandboxed window; see signIns.ts for the rest of the flow. */
export function openSignInWindow(deps: SignInWindowDeps, request: SignInWindowRequest): SignInWindowHandle {
  const partition = signInPartition(request.profileId);
  const registration = deps.preparePartition(
    partition,
    createSignInNavigationPolicy(request.consoleUrl, request.redirectUri),
  );
  const window = deps.createWindow(signInWindowOptions({ partition, brokerName: deps.brokerName(request.profileId) }));
  let ending: DesktopError = { code: 'CANCELLED', message: 'the sign-in window was closed' };
  const closed = new Promise<DesktopError>((resolve) => window.once('closed', () => resolve(ending)));
  void closed.then(() => registration.dispose());
  window.once('ready-to-show', () => window.show());
  window.loadURL(request.url).catch((error: unknown) => {
    deps.onError(`could not load the sign-in page ${request.url}`, error);
    // A refused certificate or an unreachable page: say so rather than leave a blank window.
    ending = { code: 'SIGN_IN_FAILED', message: `the sign-in page did not load (${(error as Error).message})` };
    if (!window.isDestroyed()) window.close();
  });
  return {
    closed,
    close: () => {
      if (!window.isDestroyed()) window.close();
    },
  };
}
