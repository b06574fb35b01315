import type { Duplex } from 'node:stream';
import { rawHttpError, type HttpError } from './httpError';

/** A refused socket that has not finished closing after this long is destroyed. */
const REFUSE_DESTROY_MS = 1_000;

/**
 * Answers an upgrade with an HTTP error and closes the socket. end() only
 * half-closes: a client that never closes its side would keep the socket
 * (and its file descriptor) forever, so it is destroyed once the answer is
 * flushed, or after REFUSE_DESTROY_MS when the peer does not read it.
 */
export function refuseUpgrade(socket: Duplex, error: HttpError): void {
  const timer = setTimeout(() => socket.destroy(), REFUSE_DESTROY_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('finish', () => socket.destroy());
  socket.end(rawHttpError(error));
}
