import { isIPv6 } from 'node:net';
import { isLoopbackHost } from '../../common/brokerUrl';
import { err, ok, type Result } from '../../common/result';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:7420';
/** The agent listener: the console listener's host, this port. */
export const DEFAULT_AGENT_PORT = 7421;

export { isLoopbackHost };

/** Parses `HOST:PORT` (`[::1]:7420` for IPv6); port 0 picks a free port. */
export function parseListenAddress(text: string, flag = '--listen'): Result<ListenAddress, string> {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || !Number.isInteger(port) || port > 65535) {
    return err(
      `${flag} "${text}" must be HOST:PORT, for example ${DEFAULT_LISTEN} or [::1]:7420 (port 0 = any free port)`,
    );
  }
  if (match[1] !== undefined && !isIPv6(host)) {
    return err(`${flag} "${text}": ${host} is not an IPv6 address; write HOST:PORT as [::1]:7420`);
  }
  return ok({ host, port });
}

/** A host as a URL writes it: IPv6 in brackets. */
export function urlHost(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

/** `host:port` as a URL writes it. */
export function formatHost(host: string, port: number): string {
  return `${urlHost(host)}:${port}`;
}

/** The URL to reach a listener: loopback aliases stay as they are, IPv6 in brackets. */
export function formatHttpUrl(host: string, port: number, secure: boolean): string {
  return `${secure ? 'https' : 'http'}://${formatHost(host, port)}`;
}
