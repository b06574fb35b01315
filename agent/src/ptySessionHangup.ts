import { closeSync, constants, openSync } from 'node:fs';
import type { IPty } from 'node-pty';
import { toDisposable, type Disposable } from '../../common/disposable';

/**
 * Keeps the terminal from being hung up while its process still runs, by
 * holding the PTY's slave side open in the agent until the process has been
 * reaped. Dispose it then (idempotent).
 *
 * Why: a process may close its terminal before it exits. coreutils (rm,
 * cp, …) close stdin, stdout and stderr in an atexit handler, and `bash -c`
 * execs its last command, so with `…; rm -f "$f"` the session leader itself
 * drops the last slave fd a moment before it exits. The master then reports
 * a hang-up, libuv ends the read stream, Node destroys it and closes the
 * master, and closing the master hangs the terminal up: the kernel sends
 * SIGHUP to the session leader, which dies of it. The exit status node-pty
 * then reports (killed by SIGHUP) is true, but the agent caused it. Traced
 * with ftrace: close(master) by the agent -> tty_release -> __tty_hangup ->
 * tty_signal_session_leader, then `rm` exits by SIGHUP without calling
 * exit_group. With the slave held, the master sees no hang-up while the
 * process runs, so it is never closed early.
 *
 * The fd is opened O_NOCTTY (the agent must not acquire the terminal) and,
 * as every fd Node opens, close-on-exec, so later shells do not inherit it.
 * Linux only: the drain around the exit (ptyDrain) is measured there; where
 * the slave cannot be opened, nothing is held and the old behaviour remains.
 */
export function holdPtySlave(term: IPty): Disposable {
  const ptsName = (term as unknown as { ptsName?: unknown }).ptsName;
  if (process.platform !== 'linux' || typeof ptsName !== 'string' || ptsName === '') return { dispose() {} };
  let fd: number;
  try {
    fd = openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch {
    return { dispose() {} }; // the process already ended, or no devpts here: nothing to protect
  }
  return toDisposable(() => {
    try {
      closeSync(fd);
    } catch {
      // nothing left to release
    }
  });
}
