// Workload 6 of issue 6: one keystroke to many sessions, as one broadcast
// frame (ConsoleLink.broadcast, fanned out by the broker) against one input
// frame per channel. Fleetterm only: OpenSSH has no broadcast.
import { performance } from 'node:perf_hooks';
import { connectedLink, fleetTerminal } from './fleetterm.mjs';
import { latencySummary } from './stats.mjs';
import { sleep, watchFor } from './watchFor.mjs';

/** Sessions opened at once: enough to overlap the round trips, few enough not to swamp two cores with forks. */
const OPEN_CONCURRENCY = 20;
const ECHO_TIMEOUT_MS = 10_000;
/** Unrecorded sends per variant and size first: the first broadcast pays for JIT and the broker's first audit write. */
const WARMUP_SENDS = 5;

/**
 * Opens `count` raw `cat` sessions on `link`, waiting for each to be ready.
 * Every terminal goes into `terms` as soon as it is made, so a failed open
 * still gets the others closed.
 */
async function openCats(fleet, link, count, terms) {
  const sessions = [];
  for (let at = 0; at < count; at += OPEN_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(OPEN_CONCURRENCY, count - at) }, async () => {
      const term = fleetTerminal(fleet, 'stty raw -echo; echo "#READY#"; exec cat', { link });
      terms.push(term);
      const ready = watchFor(term, '#READY#', 30_000, 'broadcast');
      const session = { channel: undefined, lastEchoed: -1, onEcho: undefined };
      term.onData((chunk) => {
        ready.check(chunk);
        session.onEcho?.(chunk);
      });
      session.channel = await term.opened;
      await ready.seen;
      return session;
    });
    sessions.push(...(await Promise.all(batch)));
  }
  return sessions;
}

/**
 * Sends one key to every session in `targets` with `send` and resolves with
 * the milliseconds until the last of them has echoed it.
 */
function timeFanOut(targets, sendIndex, send) {
  const key = 97 + (sendIndex % 26);
  let pending = targets.length;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  for (const session of targets) {
    session.onEcho = (chunk) => {
      if (session.lastEchoed === sendIndex || !Buffer.from(chunk).includes(key)) return;
      session.lastEchoed = sendIndex;
      if (--pending === 0) resolveDone(performance.now());
    };
  }
  const started = performance.now();
  send(String.fromCharCode(key));
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`broadcast: ${pending} of ${targets.length} sessions did not echo send ${sendIndex}`)),
      ECHO_TIMEOUT_MS,
    );
  });
  return Promise.race([done, timeout]).then((at) => {
    clearTimeout(timer);
    for (const session of targets) session.onEcho = undefined;
    return at - started;
  });
}

/**
 * For each size in `sizes` (ascending), `sends` keys to the first `size`
 * sessions, alternating one broadcast frame and one input frame per channel,
 * with `pauseMs` between sends; all sessions share one console link.
 * Returns, per size, the latency summaries (until the last echo) of both
 * variants and the median ratio broadcast / separate.
 */
export async function broadcastFanOut(fleet, { sizes, sends, pauseMs }) {
  const shared = await connectedLink(fleet);
  const { link } = shared;
  const terms = [];
  try {
    const openStarted = performance.now();
    const opened = await openCats(fleet, link, Math.max(...sizes), terms);
    const openSeconds = (performance.now() - openStarted) / 1000;
    const sessionsBySize = {};
    let sendIndex = 0;
    for (const size of sizes) {
      const targets = opened.slice(0, size);
      const channels = targets.map((s) => s.channel);
      const variants = {
        broadcast: (text) => link.broadcast(channels, text),
        separate: (text) => {
          for (const channel of channels) channel.write(text);
        },
      };
      const latencies = { broadcast: [], separate: [] };
      for (let i = -WARMUP_SENDS; i < sends; i++) {
        for (const [name, send] of Object.entries(variants)) {
          await sleep(pauseMs);
          const ms = await timeFanOut(targets, sendIndex++, send);
          if (i >= 0) latencies[name].push(ms);
        }
      }
      const broadcast = { ...latencySummary(latencies.broadcast), latenciesMs: latencies.broadcast };
      const separate = { ...latencySummary(latencies.separate), latenciesMs: latencies.separate };
      sessionsBySize[size] = {
        sessions: size,
        sends,
        broadcast,
        separate,
        ratioP50: broadcast.p50 / separate.p50,
        ratioP99: broadcast.p99 / separate.p99,
      };
    }
    return { openSeconds, bySize: sessionsBySize };
  } finally {
    await Promise.all(terms.map((term) => term.close()));
    shared.dispose();
  }
}
