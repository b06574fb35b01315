import { readdirSync, readFileSync } from 'node:fs';

/**
 * SIGHUP first: it is what a terminal hang-up sends, shells save their
 * history on it and pass it on to their jobs. SIGKILL after this grace
 * period for whatever ignored it.
 */
export const KILL_GRACE_MS = 2000;

/** One process as /proc/<pid>/stat shows it. */
export interface ProcStat {
  pid: number;
  /** The process's session id (the pid of the session leader that started it). */
  sid: number;
  zombie: boolean;
}

/**
 * Parses /proc/<pid>/stat: `pid (comm) state ppid pgrp session …`. The
 * command name may hold spaces and parentheses, so the fields are counted
 * from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  const [state, , , session] = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const sid = Number(session);
  if (!Number.isInteger(pid) || !Number.isInteger(sid) || state === undefined) return undefined;
  return { pid, sid, zombie: state === 'Z' };
}

/**
 * The live processes of session `sid` (Linux; none elsewhere). The kernel
 * does not hand out a pid that is still some session's id, so every process
 * listed belongs to the session this agent started.
 */
export function sessionMembers(sid: number, procDir = '/proc'): number[] {
  if (process.platform !== 'linux') return [];
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: ProcStat | undefined;
    try {
      stat = parseProcStat(readFileSync(`${procDir}/${entry}/stat`, 'utf8'));
    } catch {
      continue; // gone meanwhile
    }
    if (stat && stat.sid === sid && !stat.zombie && stat.pid !== process.pid) members.push(stat.pid);
  }
  return members;
}

/**
 * Whether anything of the shell's group or session still runs. On Linux the
 * session says it all (a group never spans sessions) and zombies that an
 * init which does not reap leaves behind do not count.
 */
export function sessionRemains(pid: number): boolean {
  if (process.platform === 'linux') return sessionMembers(pid).length > 0;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Signals a PTY's processes. The shell is a session leader (node-pty calls
 * forkpty, hence setsid), so its pid is also its group's id: `-pid` reaches
 * the shell and every process that stayed in its group (commands of `sh -c`,
 * background jobs of shells without job control). The pid itself is
 * signalled too, in case the shell left its group. Interactive shells put
 * jobs in groups of their own, and some (dash) do not pass a hang-up on: on
 * Linux every process of the shell's session is signalled as well.
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid, ...sessionMembers(pid)]) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Ends a PTY's processes: SIGHUP now, SIGKILL after `graceMs` unless they
 * are gone by then. The timer does not keep the agent alive.
 */
export function endProcessGroup(pid: number, graceMs = KILL_GRACE_MS): void {
  signalProcessGroup(pid, 'SIGHUP');
  setTimeout(() => {
    // An empty group's id may already belong to someone else: signal only what remains.
    if (sessionRemains(pid)) signalProcessGroup(pid, 'SIGKILL');
  }, graceMs).unref();
}
