// Workload 7 of issue 6: the agent's resident memory idle and per open
// session. Fleetterm only. Only the agent process counts: the shells are
// processes of their own (their RSS is reported beside it, not added).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendants, memoryOf, rssBytes } from './procStat.mjs';
import { onCleanup } from './cleanup.mjs';
import { connectedLink, fleetTerminal } from './fleetterm.mjs';
import { median } from './stats.mjs';
import { sleep } from './watchFor.mjs';

const MB = 1e6;
const KB = 1e3;
const OPEN_CONCURRENCY = 10;
/** Time for the agent's allocations to settle (timers, first frames, lazy buffers) before reading RSS. */
const SETTLE_MS = 500;

/**
 * PSS of `pid` in bytes (/proc/PID/smaps_rollup): its private pages plus its
 * share of those it shares, such as the `node` executable's, which VmRSS
 * counts whole in every Node process. Undefined if unreadable.
 */
function pssBytes(pid) {
  try {
    const kB = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kB === undefined ? undefined : Number(kB) * 1024;
  } catch {
    return undefined;
  }
}

/** Medians of a few reads of `pid`'s VmRSS, RssAnon and PSS, 100 ms apart, in MB. */
export async function steadyMemory(pid, samples = 5) {
  const rss = [];
  const anon = [];
  const pss = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(100);
    const memory = memoryOf(pid);
    if (memory === undefined) throw new Error(`memory: process ${pid} is gone (no /proc/${pid}/status)`);
    rss.push(memory.rss / MB);
    anon.push(memory.anon / MB);
    pss.push((pssBytes(pid) ?? NaN) / MB);
  }
  return { rssMB: median(rss), anonMB: median(anon), pssMB: median(pss) };
}

/**
 * The floor any Node agent stands on: an idle `node` running an empty timer
 * (same binary and version as the agent), measured like the agent.
 */
export async function bareNodeMemory() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const unregister = onCleanup('bare node', () => child.kill('SIGKILL'));
  try {
    await sleep(SETTLE_MS);
    return await steadyMemory(child.pid);
  } finally {
    unregister();
    child.kill('SIGKILL');
    await exited;
  }
}

/** Sum of the RSS of every process below `pid` (the shells and what they run), in bytes. */
const descendantsRss = (pid) => descendants(pid).reduce((sum, child) => sum + (rssBytes(child) ?? 0), 0);

/** Opens one interactive shell on `link` and resolves once its prompt (first output) arrived. */
async function openIdleShell(fleet, link, terms) {
  const term = fleetTerminal(fleet, undefined, { link });
  terms.push(term);
  await new Promise((resolve, reject) => {
    term.onData(resolve);
    term.exited.then((e) => reject(new Error(`memory: a shell ended before its prompt (${JSON.stringify(e)})`)));
    setTimeout(() => reject(new Error('memory: no prompt within 30 s')), 30_000).unref();
  });
}

/**
 * Reads the agent's RSS with no sessions, opens `sessions` idle login
 * shells on one console link, reads it again, closes them and reads it once
 * more. Returns megabytes (10^6 bytes, as the targets of issue 6 count) and
 * the increment per session in kilobytes (10^3), of VmRSS, RssAnon and PSS.
 */
export async function agentMemory(fleet, { sessions }) {
  const pid = fleet.agentPid;
  const baseline = await steadyMemory(pid);
  const shared = await connectedLink(fleet);
  const terms = [];
  let open;
  let shells;
  try {
    for (let at = 0; at < sessions; at += OPEN_CONCURRENCY) {
      const batch = Math.min(OPEN_CONCURRENCY, sessions - at);
      await Promise.all(Array.from({ length: batch }, () => openIdleShell(fleet, shared.link, terms)));
    }
    await sleep(SETTLE_MS);
    open = await steadyMemory(pid);
    shells = descendantsRss(pid);
  } finally {
    await Promise.all(terms.map((term) => term.close()));
    shared.dispose();
  }
  await sleep(SETTLE_MS);
  const closed = await steadyMemory(pid);
  return {
    sessions,
    baselineMB: baseline.rssMB,
    baselineAnonMB: baseline.anonMB,
    baselinePssMB: baseline.pssMB,
    withSessionsMB: open.rssMB,
    afterCloseMB: closed.rssMB,
    perSessionKB: ((open.rssMB - baseline.rssMB) * MB) / sessions / KB,
    perSessionAnonKB: ((open.anonMB - baseline.anonMB) * MB) / sessions / KB,
    perSessionPssKB: ((open.pssMB - baseline.pssMB) * MB) / sessions / KB,
    shellRssPerSessionKB: shells / sessions / KB,
  };
}
