import { err, ok, type Result } from './result';

/** The refusal for plain HTTP beyond loopback, worded the same in every part. */
export const PLAIN_HTTP_LOOPBACK_ONLY =
  'plain http:// and ws:// are allowed only on loopback; use https:// (the broker serves TLS by default: ' +
  'see docs/TRUST.md for trusting its CA)';

export const DEFAULT_BROKER_URL = 'http://127.0.0.1:7420';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * 127.0.0.0/8, ::1 and localhost: the only hosts where plain HTTP may be
 * used. Names other than localhost are not resolved, so they never count.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = IPV4.exec(host.replace(/^::ffff:/, ''));
  return v4 !== null && v4[1] === '127' && v4.slice(1).every((part) => Number(part) <= 255);
}

export interface BrokerEndpoints {
  /** The HTTP base, e.g. `http://127.0.0.1:7420` (no trailing slash). */
  httpBase: string;
  /** The WebSocket endpoint asked for, e.g. `ws://127.0.0.1:7420/ws/agent`. */
  wsUrl: string;
}

/**
 * Reads a broker URL as people write it: http(s):// is the HTTP base,
 * ws(s):// is accepted too; a path is kept as a prefix (a broker behind a
 * proxy) and a trailing `/ws/console` or `/ws/agent` is dropped. Plain
 * http/ws only to loopback hosts.
 */
export function parseBrokerUrl(text: string, endpoint: '/ws/console' | '/ws/agent'): Result<BrokerEndpoints, string> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return err(`"${text}" is not a URL; write the broker's address like ${DEFAULT_BROKER_URL}`);
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && url.protocol !== 'http:' && url.protocol !== 'ws:') {
    return err(`the broker URL must start with http://, https://, ws:// or wss://, not ${url.protocol}//`);
  }
  if (!secure && !isLoopbackHost(url.hostname)) return err(PLAIN_HTTP_LOOPBACK_ONLY);
  if (url.username || url.password) return err('the broker URL must not contain a user name or password');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/ws\/(console|agent)$/, '');
  return ok({
    httpBase: `${secure ? 'https' : 'http'}://${url.host}${path}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${url.host}${path}${endpoint}`,
  });
}
