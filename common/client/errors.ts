import { describeCloseCode, type ErrorCode } from '../protocol';
import { AUTH_FAILED_CLOSE_CODE } from './webSocketLike';

/** The broker or the agent refused a request (`error` with the request's channel). */
export class ProtocolRefusal extends Error {
  override readonly name = 'ProtocolRefusal';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The link closed before (or instead of) answering: `ready()` and pending
 *  `open()`/`attach()` calls reject with this. */
export class LinkClosedError extends Error {
  override readonly name = 'LinkClosedError';

  constructor(
    /** The WebSocket close code (AUTH_FAILED_CLOSE_CODE for a refused token, 1006 when unreachable). */
    readonly closeCode: number,
    /** What happened, in words: the close reason, the socket error, or the broker's last error message. */
    readonly reason: string,
  ) {
    super(reason || describeCloseCode(closeCode));
  }

  get authFailed(): boolean {
    return this.closeCode === AUTH_FAILED_CLOSE_CODE;
  }
}
