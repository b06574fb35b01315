import type { App, Session, WebContents } from 'electron';
import { toDisposable, type Disposable } from '../common/disposable';
import { installNavigationGuards } from './installNavigationGuards';
import type { NavigationPolicy } from './navigationPolicy';

export interface AppSecurityDeps {
  app: Pick<App, 'on' | 'off'>;
  /** The session the console windows use (session.defaultSession). */
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;
  policy: NavigationPolicy;
  /** Another policy for some pages (the sign-in windows, by their session); undefined: `policy`. */
  policyFor?(contents: WebContents): NavigationPolicy | undefined;
  openExternal(url: string): Promise<void>;
  onError(message: string, error: unknown): void;
}

/**
 * App-wide guards, installed before the first window exists: the
 * navigation policy on every webContents ever created, and no web
 * permission (camera, notifications, geolocation, ...) for any page. The
 * console needs none yet; a feature that does adds it here with a reason.
 */
export function installAppSecurity(deps: AppSecurityDeps): Disposable {
  const onWebContentsCreated = (_event: unknown, contents: WebContents): void => {
    // The guards live as long as the webContents; Electron drops its listeners with it.
    installNavigationGuards(contents, { ...deps, policy: deps.policyFor?.(contents) ?? deps.policy });
  };
  deps.app.on('web-contents-created', onWebContentsCreated);
  deps.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  deps.session.setPermissionCheckHandler(() => false);

  return toDisposable(() => {
    deps.app.off('web-contents-created', onWebContentsCreated);
    deps.session.setPermissionRequestHandler(null);
    deps.session.setPermissionCheckHandler(null);
  });
}
