/**
 * SIGHUP first: it is what a terminal hang-up sends, shells save their
 * history on it and pass it on to their jobs. SIGKILL after this grace
 * period for whatever ignored it.
 */
export const KILL_GRACE_MS = 2000;

/**
 * Signals a PTY's process group. The shell is a session leader (node-pty
 * calls forkpty, hence setsid), so its pid is also its group's id: `-pid`
 * reaches the shell and every process that stayed in its group (commands of
 * `sh -c`, background jobs of shells without job control). Interactive
 * shells put jobs in groups of their own and hang those up themselves on
 * SIGHUP. The pid itself is signalled too, in case the shell left its group.
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Ends a process group: SIGHUP now, SIGKILL after `graceMs` unless the group
 * is gone by then. The timer does not keep the agent alive.
 */
export function endProcessGroup(pid: number, graceMs = KILL_GRACE_MS): void {
  signalProcessGroup(pid, 'SIGHUP');
  setTimeout(() => {
    try {
      process.kill(-pid, 0);
    } catch {
      return; // the group is empty: its id may already belong to someone else
    }
    signalProcessGroup(pid, 'SIGKILL');
  }, graceMs).unref();
}
