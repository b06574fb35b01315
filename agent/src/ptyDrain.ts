import { readSync } from 'node:fs';
import type { IPty } from 'node-pty';
import type { Disposable } from '../../common/disposable';

/**
 * What node-pty 1.1's UnixTerminal (lib/unixTerminal.js) has beyond its
 * typings: the master fd (a public getter), its read socket, and
 * EventEmitter-style `on`, which forwards to that socket.
 */
interface UnixTerminalInternals {
  fd?: unknown;
  _socket?: { read(): unknown; resume(): unknown };
  on?: (event: string, listener: (...args: unknown[]) => void) => void;
  removeListener?: (event: string, listener: (...args: unknown[]) => void) => void;
}

/** One read of the master returns at most the line discipline's 4 KiB; 64 KiB is plenty. */
const DRAIN_CHUNK_BYTES = 64 * 1024;
/** The kernel holds a few KiB to 640 KiB after the writer is gone; this bound only stops a runaway loop. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

export interface PtyDrainHandlers {
  /** Bytes read here, in stream order after every `data` event already delivered. */
  data(chunk: Buffer): void;
  /** The child was reaped while the read side was still open (called once). */
  childGone(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes sure the last output of a PTY is read before node-pty reports the
 * exit. node-pty 1.1 on Unix waits for its read socket to close before it
 * emits `exit` (the fix for node-pty #85 and #726), but two paths still drop
 * the tail, both measured here on Linux:
 *
 * 1. libuv ends a stream on POLLHUP after a short read (uv__stream_io), and a
 *    pty master never returns more than the line discipline's 4 KiB per
 *    read, so once the last slave fd is closed, the stream "ends" while the
 *    kernel still holds output: `head -c 100000` lost its tail in 6 of 50
 *    runs. On `end` (before the socket is destroyed) we read the fd
 *    ourselves until EIO, which a master returns only when it is empty.
 *    (PtySession holds the slave open until the child is reaped, see
 *    ptySessionHangup, so this end comes after `childGone`.)
 *
 * 2. While flow control has paused the socket, nothing reads, so the socket
 *    never closes; node-pty then destroys it 200 ms after the exit and the
 *    output still in the kernel (and in the paused stream's buffer) is gone.
 *    node-pty registers its `once('close')` on the socket at exactly that
 *    moment, so `newListener` tells us the child was reaped: we then deliver
 *    what the paused stream holds, read the fd until EIO, and resume the
 *    socket so it closes at once.
 *
 * Reading the fd with readSync is safe: the master is non-blocking, and on
 * Linux n_tty_read flushes the pending flip-buffer work before it answers
 * EAGAIN (slave still open, as while PtySession holds it) or EIO (slave
 * closed), so either means the kernel holds nothing more for now. Whatever
 * a process that still holds the slave writes later arrives through the
 * resumed socket, until node-pty's own 200 ms cut-off.
 *
 * On Windows (no fd, no such socket) this does nothing.
 */
export function watchPtyDrain(term: IPty, handlers: PtyDrainHandlers): Disposable {
  const internals = term as unknown as UnixTerminalInternals;
  const fd = internals.fd;
  if (typeof fd !== 'number' || typeof internals.on !== 'function') return { dispose() {} };
  let gone = false;

  const drainFd = (): void => {
    const buffer = Buffer.allocUnsafe(DRAIN_CHUNK_BYTES);
    for (let total = 0; total < MAX_DRAIN_BYTES;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.byteLength, null);
      } catch {
        return; // EIO: drained; EAGAIN: the slave is still open elsewhere; EBADF: already closed
      }
      if (n <= 0) return;
      total += n;
      handlers.data(Buffer.from(buffer.subarray(0, n)));
    }
  };

  const onEnd = (): void => drainFd();
  const onNewListener = (event: unknown): void => {
    if (event !== 'close' || gone || isAlive(term.pid)) return;
    gone = true;
    const socket = internals._socket;
    // A paused stream's buffered chunks come first; read() emits them as `data`.
    if (socket && typeof socket.read === 'function') while (socket.read() !== null);
    drainFd();
    handlers.childGone();
    socket?.resume();
  };

  internals.on('end', onEnd);
  internals.on('newListener', onNewListener);
  return {
    dispose() {
      internals.removeListener?.('end', onEnd);
      internals.removeListener?.('newListener', onNewListener);
    },
  };
}
