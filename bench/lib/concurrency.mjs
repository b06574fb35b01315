// Workload 4 of issue 6: many real sessions on one broker (several real
// agents, real PTYs), a tenth of them typing; their echo, and the broker's
// CPU and memory. Fleetterm only: it measures how far one broker carries.
import { performance } from 'node:perf_hooks';
import { connectedLink, fleetTerminal, startFleet } from './fleetterm.mjs';
import { cpuSeconds, memoryOf } from './procStat.mjs';
import { steadyMemory } from './memory.mjs';
import { latencySummary } from './stats.mjs';
import { sleep, watchFor } from './watchFor.mjs';

/** Sessions per console link: a console's tabs (the protocol allows 256); 1,000 sessions are 10 consoles. */
const SESSIONS_PER_LINK = 100;
/** Opens in flight at once: enough to overlap round trips, few enough not to swamp two cores with forks. */
const OPEN_CONCURRENCY = 20;
const ECHO_TIMEOUT_MS = 10_000;
const RSS_SAMPLE_MS = 250;
const MB = 1e6;

/**
 * Opens `count` raw `cat` sessions spread over the fleet's machines, 100
 * per console link; stops at the first refusal and says why. Every terminal
 * goes into `terms` as soon as it is made, so all get closed.
 */
async function openSessions(fleet, count, links, terms) {
  const sessions = [];
  for (let at = 0; at < count; at += OPEN_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(OPEN_CONCURRENCY, count - at) }, async (_, k) => {
      const index = at + k;
      const machine = fleet.machines[index % fleet.machines.length];
      const link = links[Math.floor(index / SESSIONS_PER_LINK)].link;
      const term = fleetTerminal(fleet, 'stty raw -echo; echo "#READY#"; exec cat', { link, machine });
      terms.push(term);
      const ready = watchFor(term, '#READY#', 60_000, `concurrency session ${index}`);
      const session = { index, term, onEcho: undefined };
      term.onData((chunk) => {
        ready.check(chunk);
        session.onEcho?.(chunk);
      });
      await term.opened;
      await ready.seen;
      return session;
    });
    const settled = await Promise.allSettled(batch);
    for (const s of settled) if (s.status === 'fulfilled') sessions.push(s.value);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) return { sessions, error: String(failed.reason?.message ?? failed.reason) };
  }
  return { sessions };
}

/** Resolves with the time `key` came back on `session`; rejects after ECHO_TIMEOUT_MS. */
function echoOf(session, key) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.onEcho = undefined;
      reject(new Error(`concurrency: session ${session.index} did not echo within ${ECHO_TIMEOUT_MS / 1000} s`));
    }, ECHO_TIMEOUT_MS);
    session.onEcho = (chunk) => {
      if (!Buffer.from(chunk).includes(key)) return;
      clearTimeout(timer);
      session.onEcho = undefined;
      resolve(performance.now());
    };
  });
}

/**
 * One typist: a key every `intervalMs` from `startAt` (each waits for the
 * previous echo; a late one moves the schedule, so a typist never has two
 * keys out) until `endAt`; pushes each key's echo latency to `latencies`.
 */
async function type(session, { startAt, endAt, intervalMs }, latencies) {
  for (let next = startAt, i = 0; next < endAt; i++) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    const key = 97 + (i % 26);
    const echoed = echoOf(session, key);
    const sent = performance.now();
    session.term.write(String.fromCharCode(key));
    latencies.push((await echoed) - sent);
    next = Math.max(next + intervalMs, performance.now());
  }
}

/** Largest VmRSS / RssAnon of `pid` seen while `work` runs, sampled every RSS_SAMPLE_MS. */
async function peakMemoryDuring(pid, work) {
  const peak = { rss: 0, anon: 0 };
  const sample = () => {
    const m = memoryOf(pid);
    if (!m) return;
    peak.rss = Math.max(peak.rss, m.rss);
    peak.anon = Math.max(peak.anon, m.anon);
  };
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  try {
    await work();
  } finally {
    clearInterval(timer);
    sample();
  }
  return { rssMB: peak.rss / MB, anonMB: peak.anon / MB };
}

/** CPU seconds of `pids` over `work`, as a share of one core (1.0 = one core busy all the time). */
async function cpuShareDuring(pids, work) {
  const cpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const before = cpu();
  const started = performance.now();
  await work();
  return (cpu() - before) / ((performance.now() - started) / 1000);
}

async function oneSize(fleet, size, fresh, { typingSeconds, keysPerSecond, typingShare, idleSeconds }) {
  const broker = fleet.brokerPid;
  const before = await steadyMemory(broker);
  const links = [];
  const terms = [];
  try {
    for (let i = 0; i < Math.ceil(size / SESSIONS_PER_LINK); i++) links.push(await connectedLink(fleet));
    const openStarted = performance.now();
    const { sessions, error } = await openSessions(fleet, size, links, terms);
    const openSeconds = (performance.now() - openStarted) / 1000;
    await sleep(500);
    const open = await steadyMemory(broker);
    const idleCpu = await cpuShareDuring([broker], () => sleep(idleSeconds * 1000));
    // Every tenth session types: spread evenly over links and machines, their keys spread over the interval.
    const typists = sessions.filter((_, i) => i % Math.round(1 / typingShare) === 0);
    const intervalMs = 1000 / keysPerSecond;
    const latencies = [];
    let typingCpu;
    let agentsCpu;
    const peak = await peakMemoryDuring(broker, async () => {
      const startAt = performance.now() + 50;
      const endAt = startAt + typingSeconds * 1000;
      const agentsBefore = fleet.agentPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
      typingCpu = await cpuShareDuring([broker], async () => {
        const schedule = (i) => ({ startAt: startAt + (i * intervalMs) / typists.length, endAt, intervalMs });
        await Promise.all(typists.map((s, i) => type(s, schedule(i), latencies)));
      });
      agentsCpu =
        (fleet.agentPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - agentsBefore) /
        ((performance.now() - startAt) / 1000);
    });
    return {
      sessions: size,
      opened: sessions.length,
      ...(error ? { openError: error } : {}),
      openSeconds,
      typists: typists.length,
      keys: latencies.length,
      echo: latencySummary(latencies),
      brokerCpuIdle: idleCpu,
      brokerCpuTyping: typingCpu,
      agentsCpuTyping: agentsCpu,
      brokerRssBeforeMB: before.rssMB,
      brokerRssOpenMB: open.rssMB,
      brokerAnonOpenMB: open.anonMB,
      brokerRssPeakMB: peak.rssMB,
      brokerRssFreshMB: fresh.rssMB,
      // Against the broker before any session: V8 keeps the heap the smaller sizes grew, so per-size deltas understate.
      brokerRssPerSessionKB: ((open.rssMB - fresh.rssMB) * MB) / Math.max(1, sessions.length) / 1e3,
    };
  } finally {
    await Promise.all(terms.map((term) => term.close()));
    for (const l of links) l.dispose();
  }
}

/**
 * A broker of its own with `agents` agents; for each of `sizes` (ascending)
 * opens that many sessions, measures, and closes them again.
 */
export async function concurrency(client, options) {
  const fleet = await startFleet(client, { agents: options.agents, maxShells: 1024 });
  try {
    const fresh = await steadyMemory(fleet.brokerPid, 10);
    const bySize = {};
    for (const size of options.sizes) {
      bySize[size] = await oneSize(fleet, size, fresh, options);
      const r = bySize[size];
      console.error(
        `concurrency ${size}: opened ${r.opened} in ${r.openSeconds.toFixed(1)} s, ${r.keys} keys by ${r.typists} typists, ` +
          `echo p50 ${r.echo.p50.toFixed(2)} p99 ${r.echo.p99.toFixed(2)} ms; broker CPU ${(r.brokerCpuTyping * 100).toFixed(0)} % ` +
          `(idle ${(r.brokerCpuIdle * 100).toFixed(1)} %), RSS ${r.brokerRssOpenMB.toFixed(1)} MB` +
          (r.openError ? `; stopped opening: ${r.openError}` : ''),
      );
    }
    return { agents: options.agents, sessionsPerLink: SESSIONS_PER_LINK, bySize };
  } finally {
    await fleet.stop();
  }
}
