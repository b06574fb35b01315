/**
 * The wire protocol's version. A peer whose major differs is refused in the
 * hello with VERSION_UNSUPPORTED and close code 4002; minor versions only add
 * optional fields and capabilities, so any minor of the same major interoperates.
 */
export const PROTOCOL_VERSION = { major: 1, minor: 0 } as const;

export interface ProtocolVersion {
  major: number;
  minor: number;
}

export function isCompatible(peer: ProtocolVersion): boolean {
  return peer.major === PROTOCOL_VERSION.major;
}

export function formatVersion(version: ProtocolVersion): string {
  return `${version.major}.${version.minor}`;
}
