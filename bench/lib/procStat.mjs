// CPU time, memory and descendants of processes, from /proc.
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

/**
 * Resident memory of one process from /proc/PID/status, in bytes, or
 * undefined if it is gone: `rss` (VmRSS) and `anon` (RssAnon, its private
 * heap and stacks; VmRSS also counts the pages of the executable and
 * libraries, which every process running the same binary shares).
 */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const rss = field('VmRSS');
    return Number.isFinite(rss) ? { rss, anon: field('RssAnon') } : undefined;
  } catch {
    return undefined;
  }
}

/** VmRSS of one process in bytes, or undefined if it is gone. */
export const rssBytes = (pid) => memoryOf(pid)?.rss;

/** Pids of every process below `root` (children, grandchildren, ...). */
export function descendants(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (!f) continue;
    const ppid = Number(f.rest[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const found = [];
  for (let queue = [...(children.get(root) ?? [])]; queue.length > 0;) {
    const pid = queue.shift();
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/**
 * CPU seconds of `root` and every process below it, by pid. Processes come
 * and go (a browser starts a renderer per site): compare two of these with `cpuSince`.
 */
export const treeCpu = (root) => new Map([root, ...descendants(root)].map((pid) => [pid, cpuSeconds(pid)]));

/** CPU the processes of `now` (a `treeCpu`) used since `before` (one started since then: all of it). */
export const cpuSince = (before, now) => [...now].reduce((sum, [pid, cpu]) => sum + cpu - (before.get(pid) ?? 0), 0);

/** CPU seconds the whole machine has been busy, all cores (/proc/stat: everything but idle and iowait). */
export function machineCpuSeconds() {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS;
}
