import { err, ok, type Result } from '../../common/result';

export const DEFAULT_BROKER_URL = 'http://127.0.0.1:7420';

export const TOKEN_HINT =
  'An admin creates one on the broker host with `fleetterm-broker token create --role operator`.';

const PLAIN_ON_LOOPBACK_ONLY =
  'plain http:// and ws:// are allowed only on loopback; use https:// (TLS support arrives with the trust work; until then run the broker on 127.0.0.1 behind a TLS-terminating proxy)';

/** Where the broker is and how we prove who we are. */
export interface ConnectionSettings {
  /** The HTTP base, e.g. `http://127.0.0.1:7420` (no trailing slash). */
  httpBase: string;
  /** The console WebSocket endpoint, e.g. `ws://127.0.0.1:7420/ws/console`. */
  wsUrl: string;
  token: string;
}

/** 127.0.0.0/8, ::1 and localhost, the hosts where plain http/ws may be used. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Reads the broker URL: http(s):// is the HTTP base, ws(s):// is accepted
 * too; a path is kept as a prefix (a broker behind a proxy), a trailing
 * `/ws/console` is dropped. Plain http/ws only to loopback hosts.
 */
export function parseBrokerUrl(text: string): Result<{ httpBase: string; wsUrl: string }, string> {
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
  if (!secure && !isLoopbackHost(url.hostname)) return err(PLAIN_ON_LOOPBACK_ONLY);
  if (url.username || url.password)
    return err('the broker URL must not contain a user name or password; pass the token with --token');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/ws\/console$/, '');
  return ok({
    httpBase: `${secure ? 'https' : 'http'}://${url.host}${path}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${url.host}${path}/ws/console`,
  });
}

/** Checks that the token is present and is an API token, not one of the other kinds. */
export function checkToken(token: string | undefined): Result<string, string> {
  const trimmed = token?.trim() ?? '';
  if (trimmed === '') return err(`no API token: pass --token TOKEN or set FLEETTERM_TOKEN. ${TOKEN_HINT}`);
  if (trimmed.startsWith('fte_')) {
    return err(
      `that is an enrolment token (fte_…), which enrols an agent; fleetterm needs an API token (ftk_…). ${TOKEN_HINT}`,
    );
  }
  if (trimmed.startsWith('ftm_')) {
    return err(
      `that is a machine credential (ftm_…), which belongs to an agent; fleetterm needs an API token (ftk_…). ${TOKEN_HINT}`,
    );
  }
  return ok(trimmed);
}

/** Flags win over the environment; the broker URL defaults to the local broker. */
export function resolveConnection(
  flags: { broker?: string; token?: string },
  env: Record<string, string | undefined>,
): Result<ConnectionSettings, string> {
  const broker = parseBrokerUrl(flags.broker ?? (env.FLEETTERM_BROKER || DEFAULT_BROKER_URL));
  if (!broker.ok) return broker;
  const token = checkToken(flags.token ?? env.FLEETTERM_TOKEN);
  if (!token.ok) return token;
  return ok({ ...broker.value, token: token.value });
}
