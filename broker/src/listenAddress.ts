import { isIPv4, isIPv6 } from 'node:net';
import { err, ok, type Result } from '../../common/result';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:7420';

/** The refusal for a non-loopback listener without TLS (shared wording across the parts). */
export const PLAIN_HTTP_LOOPBACK_ONLY =
  'plain http:// and ws:// are allowed only on loopback; use https:// (TLS support arrives with the trust work; ' +
  'until then run the broker on 127.0.0.1 behind a TLS-terminating proxy)';

/** Parses `HOST:PORT` (`[::1]:7420` for IPv6); port 0 picks a free port. */
export function parseListenAddress(text: string): Result<ListenAddress, string> {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || !Number.isInteger(port) || port > 65535) {
    return err(
      `--listen "${text}" must be HOST:PORT, for example ${DEFAULT_LISTEN} or [::1]:7420 (port 0 = any free port)`,
    );
  }
  if (match[1] !== undefined && !isIPv6(host)) {
    return err(`--listen "${text}": ${host} is not an IPv6 address; write HOST:PORT as [::1]:7420`);
  }
  return ok({ host, port });
}

/** 127.0.0.0/8, ::1 and localhost: the only places plain HTTP may listen. Names other than localhost are not resolved. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIPv4(lower)) return lower.startsWith('127.');
  if (isIPv6(lower)) return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
  return false;
}

/** The URL to reach a listener: loopback aliases stay as they are, IPv6 in brackets. */
export function formatHttpUrl(host: string, port: number): string {
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}
