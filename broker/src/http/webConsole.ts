import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { webConsoleContentSecurityPolicyHeader } from '../../../common/contentSecurityPolicy';
import { HttpError, sendError } from './httpError';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Headers on every page and file: the CSP (with frame-ancestors, which a <meta> tag cannot carry) and friends. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': webConsoleContentSecurityPolicyHeader,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy':
    'camera=(), microphone=(), geolocation=(), publickey-credentials-get=(self), publickey-credentials-create=(self)',
};

/**
 * Serves the renderer's build (`out/renderer`) as the web console: files
 * under `/assets/` as they are (immutable: their names carry a hash), and
 * `index.html` for every other path, so `/register` and `/` are the same
 * single page that reads its own location. Only GET and HEAD; nothing
 * outside the web root, whatever the path says.
 */
export function createWebConsole(webRoot: string | undefined): (req: IncomingMessage, res: ServerResponse) => void {
  const index = webRoot === undefined ? undefined : join(webRoot, 'index.html');
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, new HttpError(405, 'BAD_REQUEST', 'the web console is read with GET'));
    }
    if (index === undefined || !existsSync(index)) {
      return sendError(
        res,
        new HttpError(404, 'NOT_FOUND', 'the web console is not built here; run `npm run build` in the repository'),
      );
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path.startsWith('/assets/') ? inside(webRoot!, path) : index;
    if (file === undefined || !existsSync(file) || !statSync(file).isFile()) {
      return sendError(res, new HttpError(404, 'NOT_FOUND', `no file ${path} in the web console`));
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': file === index ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };
}

/** The file a URL path names under `root`, or undefined when the path climbs out of it. */
function inside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const file = normalize(join(root, decoded));
  return file.startsWith(normalize(root) + sep) ? file : undefined;
}
