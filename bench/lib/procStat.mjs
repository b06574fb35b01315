// CPU time of processes from /proc, in seconds.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Fields after the `(comm)` part of /proc/PID/stat, or undefined if gone. */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    return { comm: text.slice(text.indexOf('(') + 1, close), rest: text.slice(close + 2).split(' ') };
  } catch {
    return undefined;
  }
}

/** utime + stime of one process (its own threads, not reaped children). */
export function cpuSeconds(pid) {
  const f = statFields(pid);
  if (!f) return 0;
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(f.rest[11]) + Number(f.rest[12])) / TICKS;
}

/** Pids of the descendants of `root` whose command name is `comm`. */
export function descendantsNamed(root, comm) {
  const parent = new Map();
  const names = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (!f) continue;
    parent.set(Number(entry), Number(f.rest[1]));
    names.set(Number(entry), f.comm);
  }
  const isBelow = (pid) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...names].filter(([pid, name]) => name === comm && isBelow(pid)).map(([pid]) => pid);
}
