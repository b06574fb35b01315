// The app's own origin. The built console is served from app://fleetterm/
// instead of file://: a file page has an opaque origin ("null") that a
// broker could not tell from any other local file, and no response headers
// to carry a CSP. app://fleetterm is registered as a standard, secure
// scheme, so the page has a real origin that the broker's Origin allowlist
// and CORS answers name (common/desktopApi.ts desktopAppOrigin).
import type { CustomScheme } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname, join, posix, resolve, sep } from 'node:path';
import { desktopAppHost, desktopAppScheme } from '../common/desktopApi';

/** For protocol.registerSchemesAsPrivileged, before the app is ready. */
export const appScheme: CustomScheme = {
  scheme: desktopAppScheme,
  // standard: a real origin (scheme://host), relative URLs, localStorage;
  // secure: a secure context, like https; supportFetchAPI: fetch() of its files.
  // No bypassCSP, no corsEnabled: nothing else may load app:// content.
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** The types the renderer build contains; anything else is not served. */
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export interface AppProtocolOptions {
  /** The built renderer folder (out/renderer). */
  rendererDir: string;
  /** The header policy for HTML pages, computed at each load (desktopContentSecurityPolicy). */
  contentSecurityPolicy(): string;
}

/**
 * The handler for protocol.handle('app', …): files of the renderer build
 * under app://fleetterm/, `/` as index.html. Everything else (another host,
 * a path out of the folder, an unknown type, a write) is refused.
 */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const root = resolve(options.rendererDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'only GET and HEAD');
    const path = filePath(root, request.url);
    if (path === null) return refuse(404, 'not a file of the console');
    const type = contentTypes[extname(path).toLowerCase()];
    if (type === undefined) return refuse(404, 'not a file type of the console');
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return refuse(404, 'not found');
    }
    const headers: Record<string, string> = {
      'content-type': type,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    };
    if (type.startsWith('text/html')) headers['content-security-policy'] = options.contentSecurityPolicy();
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}

/** The file a URL names inside `root`, or null when it is not ours or would leave the folder. */
function filePath(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${desktopAppScheme}:` || parsed.host !== desktopAppHost) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const normalized = posix.normalize(pathname === '/' ? '/index.html' : pathname);
  if (normalized.split('/').includes('..')) return null;
  const path = join(root, ...normalized.split('/').filter((part) => part !== ''));
  return path.startsWith(root + sep) ? path : null;
}

function refuse(status: number, reason: string): Response {
  return new Response(`${reason}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
