import type { ServerNames } from '../../../node-common/pki';

export type { ServerNames };
import { isIP } from 'node:net';
import { PkiError } from './pkiError';

/** Always in a server certificate, so local consoles and tests connect without extra flags. */
export const LOOPBACK_DNS_NAMES = ['localhost'];
export const LOOPBACK_IP_ADDRESSES = ['127.0.0.1', '::1'];

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** Machine ids are the broker's (UUIDs); the pattern keeps them safe inside a DN and a URI. */
const MACHINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A lower-case host name, or a BAD_NAME error saying what is wrong with it. */
export function normaliseDnsName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  if (isIP(lower))
    throw new PkiError('BAD_NAME', `"${name}" is an IP address; pass it as an IP address, not a DNS name`);
  if (lower.length > 253 || !lower.split('.').every((label) => DNS_LABEL.test(label))) {
    throw new PkiError('BAD_NAME', `"${name}" is not a DNS name (letters, digits and -, in dot-separated labels)`);
  }
  return lower;
}

/** An IP address in its canonical text form (IPv6 compressed), or a BAD_NAME error. */
export function normaliseIpAddress(address: string): string {
  const trimmed = address.trim();
  const version = isIP(trimmed);
  if (version === 0) throw new PkiError('BAD_NAME', `"${address}" is not an IPv4 or IPv6 address`);
  return version === 4 ? trimmed : new URL(`http://[${trimmed}]/`).hostname.slice(1, -1);
}

export function checkMachineId(machineId: string): string {
  if (!MACHINE_ID.test(machineId)) {
    throw new PkiError('BAD_NAME', `machine id "${machineId}": use 1 to 128 letters, digits, . _ or -`);
  }
  return machineId;
}

/** The wanted names (the first is the certificate's CN) and then the loopback ones, normalised and deduplicated. */
export function serverNames(dnsNames: readonly string[], ipAddresses: readonly string[]): ServerNames {
  return {
    dnsNames: [...new Set([...dnsNames.map(normaliseDnsName), ...LOOPBACK_DNS_NAMES])],
    ipAddresses: [...new Set([...ipAddresses.map(normaliseIpAddress), ...LOOPBACK_IP_ADDRESSES])],
  };
}

/** Whether two name lists hold the same names, in any order. */
export function sameNames(a: ServerNames, b: ServerNames): boolean {
  const key = (names: ServerNames) => JSON.stringify([[...names.dnsNames].sort(), [...names.ipAddresses].sort()]);
  return key(a) === key(b);
}
