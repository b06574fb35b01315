/**
 * WebSocket close codes used by Fleetterm links (RFC 6455 §7.4.2 reserves
 * 4000–4999 for applications). Standard codes keep their meaning: 1000
 * normal, 1001 the broker is shutting down, 1009 a frame over MAX_FRAME_BYTES.
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  MESSAGE_TOO_BIG: 1009,
  /** Too many invalid frames on this link. */
  PROTOCOL_VIOLATION: 4000,
  /** No valid hello within HELLO_TIMEOUT_MS, or something else came first. */
  HELLO_REQUIRED: 4001,
  /** The peer speaks another major protocol version. */
  VERSION_UNSUPPORTED: 4002,
  /** A newer link for the same machine took over this one. */
  REPLACED: 4003,
  /** The machine or token was revoked. */
  REVOKED: 4004,
  /** The consumer did not drain its output. */
  SLOW_CONSUMER: 4005,
  /** The client sent input faster than the machine took it. */
  INPUT_OVERRUN: 4006,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const DESCRIPTIONS: Record<number, string> = {
  [CloseCode.NORMAL]: 'closed normally',
  [CloseCode.GOING_AWAY]: 'the broker is shutting down',
  [CloseCode.MESSAGE_TOO_BIG]: 'a frame was larger than the protocol allows',
  [CloseCode.PROTOCOL_VIOLATION]: 'too many invalid frames',
  [CloseCode.HELLO_REQUIRED]: 'no valid hello',
  [CloseCode.VERSION_UNSUPPORTED]: 'unsupported protocol version',
  [CloseCode.REPLACED]: 'replaced by a newer connection from the same machine',
  [CloseCode.REVOKED]: 'access was revoked',
  [CloseCode.SLOW_CONSUMER]: 'the client did not read its output in time',
  [CloseCode.INPUT_OVERRUN]: 'the client sent input faster than the machine took it',
};

export function describeCloseCode(code: number): string {
  return DESCRIPTIONS[code] ?? `closed with code ${code}`;
}

/** Close codes after which reconnecting cannot help. */
export function isFatalCloseCode(code: number): boolean {
  return code === CloseCode.VERSION_UNSUPPORTED || code === CloseCode.REVOKED || code === CloseCode.REPLACED;
}
