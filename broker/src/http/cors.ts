import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { originAllowed } from './originCheck';

/** The API answers cross-origin calls only under this prefix; the web console's files stay same-origin. */
const CORS_PREFIX = '/api/v1/';
/** What the API uses: JSON bodies and bearer secrets. Nothing is authenticated by cookies, so no credentials. */
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
/** Rate-limit refusals say when to retry; a page on another origin may read that header only if exposed. */
const EXPOSED_HEADERS = 'Retry-After';
/** Chromium caps a preflight's lifetime at 2 hours; 10 minutes keeps an allowlist change quick to take effect. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface CorsPolicy {
  /** Whether the console listener serves TLS (same-origin means the same scheme). */
  secure: boolean;
  /** `--allowed-origin` values (parseAllowedOrigins); the desktop app's origin is always allowed. */
  allowedOrigins: ReadonlySet<string>;
}

/**
 * CORS for the HTTP API, for the pages the Origin allowlist admits (the
 * desktop app, `--allowed-origin`): they may call /api/v1/* with a bearer
 * secret and read the answer. Any other origin gets no CORS header, so its
 * browser keeps the answer from the page; its preflight is refused with the
 * reason. Same-origin requests need none of this and are passed through.
 */
export function withCors(policy: CorsPolicy, next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin === undefined || !(req.url ?? '').startsWith(CORS_PREFIX)) return next(req, res);
    const allowed = originAllowed(req, policy.secure, policy.allowedOrigins);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    res.setHeader('vary', 'Origin');
    if (!allowed.ok) {
      if (!preflight) return next(req, res);
      const body = JSON.stringify({ error: { code: 'FORBIDDEN', message: allowed.reason } });
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(body);
    }
    res.setHeader('access-control-allow-origin', origin);
    if (!preflight) {
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
      return next(req, res);
    }
    res.writeHead(204, {
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    });
    res.end();
  };
}
