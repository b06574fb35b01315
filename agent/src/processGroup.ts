import { membersOfSessions, sessionScanner, type SessionScanner } from './processGroupScan';

export { parseProcStat, sessionMembers, type ProcStat } from './processGroupScan';

/**
 * SIGHUP first: it is what a terminal hang-up sends, shells save their
 * history on it and pass it on to their jobs. SIGKILL after this grace
 * period for whatever ignored it.
 */
export const KILL_GRACE_MS = 2000;

function signalEach(targets: readonly number[], signal: NodeJS.Signals): void {
  for (const target of targets) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Which of the shells in `pids` still have something running, each with the
 * live processes of its session (empty where only the group is known). On
 * Linux the session says it all (a group never spans sessions), from one
 * pass over /proc for all of them; elsewhere whether the group still exists.
 */
export function remainingSessions(pids: readonly number[]): Map<number, number[]> {
  if (process.platform === 'linux') return membersOfSessions(pids);
  const remaining = new Map<number, number[]>();
  for (const pid of pids) {
    try {
      process.kill(-pid, 0);
      remaining.set(pid, []);
    } catch {
      // the group is gone
    }
  }
  return remaining;
}

/** Whether anything of the shell's group or session still runs (one pass over /proc on Linux). */
export function sessionRemains(pid: number): boolean {
  return remainingSessions([pid]).has(pid);
}

/**
 * Signals a PTY's processes. The shell is a session leader (node-pty calls
 * forkpty, hence setsid), so its pid is also its group's id: `-pid` reaches
 * the shell and every process that stayed in its group (commands of `sh -c`,
 * background jobs of shells without job control). The pid itself is
 * signalled too, in case the shell left its group. Interactive shells put
 * jobs in groups of their own, and some (dash) do not pass a hang-up on: on
 * Linux every process of the shell's session (`members`, from a pass over
 * /proc when not given) is signalled as well.
 */
export function signalProcessGroup(
  pid: number,
  signal: NodeJS.Signals,
  members: readonly number[] = remainingSessions([pid]).get(pid) ?? [],
): void {
  signalEach([-pid, pid, ...members], signal);
}

/**
 * Ends a PTY's processes: SIGHUP now, SIGKILL after `graceMs` unless they
 * are gone by then. The group and the shell get the hang-up at once; the
 * session's other processes (found on /proc) a moment later, from a pass
 * shared with every other session ending meanwhile, and so does the check
 * after the grace period: ending 100 sessions used to read /proc 200 times.
 * The timer does not keep the agent alive.
 */
export function endProcessGroup(pid: number, graceMs = KILL_GRACE_MS, scanner: SessionScanner = sessionScanner): void {
  signalEach([-pid, pid], 'SIGHUP');
  const linux = process.platform === 'linux';
  if (linux) void scanner.members(pid).then((members) => signalEach(members, 'SIGHUP'));
  setTimeout(() => {
    // An empty group's id may already belong to someone else: signal only what remains.
    if (!linux) {
      if (sessionRemains(pid)) signalProcessGroup(pid, 'SIGKILL', []);
      return;
    }
    void scanner.members(pid).then((members) => {
      if (members.length > 0) signalProcessGroup(pid, 'SIGKILL', members);
    });
  }, graceMs).unref();
}
