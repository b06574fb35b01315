import { writeSync } from 'node:fs';
import type { IPty } from 'node-pty';

/** What node-pty's UnixTerminal holds and its typings do not declare: the master fd and its write queue. */
interface UnixTerminalInternals {
  fd?: unknown;
  _writeStream?: { _writeQueue?: unknown };
}

/**
 * Writes input to the PTY now when nothing is queued before it, else
 * through node-pty. node-pty (1.2) writes every chunk with an asynchronous
 * fs.write, a round trip through libuv's thread pool: on this 2-core
 * machine that hop (wake a pool thread, write, wake the loop through its
 * eventfd) sat on the path of every keystroke. The master fd is
 * non-blocking, so a synchronous write never waits: what the kernel does
 * not take now (a big paste) goes to node-pty's queue, and while anything
 * waits there every later chunk does too, so bytes keep their order.
 * Without the internals (another node-pty, Windows) everything goes
 * through node-pty as before.
 */
export function writePtyInput(term: IPty, bytes: Buffer): void {
  const internals = term as unknown as UnixTerminalInternals;
  const queue = internals._writeStream?._writeQueue;
  const fd = internals.fd;
  if (typeof fd !== 'number' || !Array.isArray(queue) || queue.length > 0) return term.write(bytes);
  let written = 0;
  try {
    written = writeSync(fd, bytes);
  } catch {
    // EAGAIN (the kernel's buffer is full) or a closing PTY: node-pty retries, or reports, as it always did.
  }
  if (written < bytes.byteLength) term.write(bytes.subarray(written));
}
