import { desktopAppOrigin } from '../common/desktopApi';

/**
 * What a console window loads: the built files through the app's own
 * scheme (appProtocol.ts serves `rendererDir` as app://fleetterm/), or the
 * Vite dev server.
 */
export type RendererEntry = { kind: 'dev-server'; url: string } | { kind: 'app'; rendererDir: string; url: string };

/** The built console page. */
export const appPageUrl = `${desktopAppOrigin}/index.html`;

export interface RendererEntryInput {
  /** app.isPackaged: an installed app always loads its own files. */
  isPackaged: boolean;
  /** ELECTRON_RENDERER_URL, set by `electron-vite dev`. */
  devServerUrl: string | undefined;
  /** The built renderer folder (out/renderer). */
  rendererDir: string;
}

export interface ResolvedRendererEntry {
  entry: RendererEntry;
  /** Set when a dev server URL was given but refused; the caller logs it. */
  warning: string | null;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Chooses the built files or the Vite dev server. The dev server is used
 * only in an unpackaged app and only on loopback over http(s): an
 * environment variable must never be able to point an installed console,
 * with its preload API, at a page from somewhere else.
 */
export function resolveRendererEntry(input: RendererEntryInput): ResolvedRendererEntry {
  const appEntry: RendererEntry = { kind: 'app', rendererDir: input.rendererDir, url: appPageUrl };
  if (input.devServerUrl === undefined || input.devServerUrl === '') return { entry: appEntry, warning: null };
  if (input.isPackaged) {
    return {
      entry: appEntry,
      warning: 'ELECTRON_RENDERER_URL is ignored in a packaged app; loading the built console',
    };
  }
  if (!isLoopbackHttpUrl(input.devServerUrl)) {
    return {
      entry: appEntry,
      warning: `ELECTRON_RENDERER_URL must be an http:// URL on loopback (got ${input.devServerUrl}); loading the built console`,
    };
  }
  return { entry: { kind: 'dev-server', url: input.devServerUrl }, warning: null };
}

/** An http(s) URL on this computer (localhost, 127.0.0.1, [::1]). */
export function isLoopbackHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && loopbackHosts.has(parsed.hostname);
  } catch {
    return false;
  }
}
