// Where the app's windows may go. The console is a single page: it never
// needs to navigate its window anywhere, and it never opens windows of its
// own. A link to a web page (documentation, a broker's status page) opens
// in the system browser, where it cannot reach the preload API. Pure: the
// Electron wiring lives in installNavigationGuards.ts.

export type NavigationDecision = { action: 'allow' } | { action: 'deny'; openExternally: string | null };

export interface NavigationPolicy {
  /** True for URLs inside the app itself (its page, or its dev server). */
  isAppUrl(url: string): boolean;
  /** A main-frame navigation the page asked for (link click, `location = ...`). */
  decideNavigation(url: string): NavigationDecision;
  /** `window.open` and `target=_blank`: never a new app window. */
  decideWindowOpen(url: string): NavigationDecision & { action: 'deny' };
}

/** Only these schemes are handed to the system browser; `file:`, `smb:`, custom handlers... are not. */
const externalProtocols = new Set(['http:', 'https:']);

export function createNavigationPolicy(appUrl: string): NavigationPolicy {
  const app = parseUrl(appUrl);
  if (!app) throw new Error(`The app URL is not a valid URL: ${appUrl}`);
  if (app.protocol !== 'file:' && app.host === '') throw new Error(`The app URL names no host: ${appUrl}`);

  const isAppUrl = (url: string): boolean => {
    const target = parseUrl(url);
    if (!target) return false;
    // Every file:// URL has the same opaque origin, so for a file page only
    // the page itself counts (any hash or query), never another local file.
    if (app.protocol === 'file:') {
      return target.protocol === 'file:' && target.host === app.host && target.pathname === app.pathname;
    }
    // Scheme and host:port, not URL.origin: that is "null" for every
    // non-special scheme (app://, javascript:, data:...), which would match.
    return target.protocol === app.protocol && target.host === app.host;
  };

  return policyAllowing(isAppUrl);
}

/**
 * The policy that lets a window go only where `isAppUrl` says: every other
 * navigation and every window.open is refused, and web links among them
 * are offered to the system browser.
 */
export function policyAllowing(isAppUrl: (url: string) => boolean): NavigationPolicy {
  const deny = (url: string): NavigationDecision & { action: 'deny' } => ({
    action: 'deny',
    openExternally: isAppUrl(url) ? null : externalUrl(url),
  });
  return {
    isAppUrl,
    decideNavigation: (url) => (isAppUrl(url) ? { action: 'allow' } : deny(url)),
    decideWindowOpen: deny,
  };
}

/**
 * The URL to give the system browser, or null when it must not be opened:
 * not http(s), unparsable, or carrying credentials (`https://user:pw@host`
 * is a phishing shape and never needed here).
 */
export function externalUrl(url: string): string | null {
  const parsed = parseUrl(url);
  if (!parsed || !externalProtocols.has(parsed.protocol)) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
