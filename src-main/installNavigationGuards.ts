import type { Event, HandlerDetails, WebContents, WebContentsWillFrameNavigateEventParams } from 'electron';
import { toDisposable, type Disposable } from '../common/disposable';
import type { NavigationPolicy } from './navigationPolicy';

export interface NavigationGuardDeps {
  policy: NavigationPolicy;
  /** shell.openExternal in the app; called only with http(s) URLs the policy approved. */
  openExternal(url: string): Promise<void>;
  /** Where a failed openExternal is reported (it must never throw into Electron's event loop). */
  onError(message: string, error: unknown): void;
}

/**
 * Applies the navigation policy to one webContents. Installed from
 * app 'web-contents-created', so every window, including ones added later,
 * is covered. Imports Electron's types only, so tests drive it with a fake.
 */
export function installNavigationGuards(contents: WebContents, deps: NavigationGuardDeps): Disposable {
  const openExternally = (url: string | null): void => {
    if (url === null) return;
    deps
      .openExternal(url)
      .catch((error: unknown) => deps.onError(`could not open ${url} in the system browser`, error));
  };

  const onWillNavigate = (event: Event<{ url: string }>): void => {
    const decision = deps.policy.decideNavigation(event.url);
    if (decision.action === 'allow') return;
    event.preventDefault();
    openExternally(decision.openExternally);
  };

  // A server redirect was not a user's click: stop it, open nothing.
  const onWillRedirect = (event: Event<{ url: string }>): void => {
    if (!deps.policy.isAppUrl(event.url)) event.preventDefault();
  };

  // Subframes (the CSP already forbids frames) never leave the app either;
  // main-frame navigations are handled by 'will-navigate' above.
  const onWillFrameNavigate = (event: Event<WebContentsWillFrameNavigateEventParams>): void => {
    if (!event.isMainFrame && !deps.policy.isAppUrl(event.url)) event.preventDefault();
  };

  // webviewTag is off; this refuses a <webview> even if that ever changes.
  const onWillAttachWebview = (event: Event): void => event.preventDefault();

  contents.on('will-navigate', onWillNavigate);
  contents.on('will-redirect', onWillRedirect);
  contents.on('will-frame-navigate', onWillFrameNavigate);
  contents.on('will-attach-webview', onWillAttachWebview);
  contents.setWindowOpenHandler((details: HandlerDetails) => {
    const decision = deps.policy.decideWindowOpen(details.url);
    openExternally(decision.openExternally);
    return { action: 'deny' };
  });

  return toDisposable(() => {
    if (contents.isDestroyed()) return;
    contents.off('will-navigate', onWillNavigate);
    contents.off('will-redirect', onWillRedirect);
    contents.off('will-frame-navigate', onWillFrameNavigate);
    contents.off('will-attach-webview', onWillAttachWebview);
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
