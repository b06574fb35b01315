// Workload 10 of issue 6: one session floods output while another one types;
// the typing session's echo against its idle value.
import { performance } from 'node:perf_hooks';
import { keystrokeEcho } from './workloads.mjs';
import { latencySummary } from './stats.mjs';
import { chunkBytes, sleep } from './watchFor.mjs';

/** Output the flood must have delivered before typing starts, so the echoes are timed inside a running flood. */
const FLOWING_BYTES = 1_000_000;

/** Starts `yes` (acknowledged at once) and resolves once it flows; `stats()` tells what it delivered so far. */
async function startFlood(makeTerminal) {
  const term = makeTerminal('exec yes');
  let bytes = 0;
  let resolveFlowing;
  const flowing = new Promise((resolve, reject) => {
    resolveFlowing = resolve;
    setTimeout(() => reject(new Error('isolation: the flood did not start within 20 s')), 20_000).unref();
    term.exited.then((e) => reject(new Error(`isolation: the flood ended early (${JSON.stringify(e)})`)));
  });
  flowing.catch(() => {});
  term.onData((chunk) => {
    bytes += chunkBytes(chunk);
    if (bytes >= FLOWING_BYTES) resolveFlowing();
  });
  try {
    await flowing;
  } catch (error) {
    await term.close();
    throw error;
  }
  return { term, bytes: () => bytes };
}

/**
 * The echo workload on a fresh terminal of `makeTyping`, first alone (idle)
 * and then while a terminal of `makeFlood` runs `yes`. Returns both latency
 * summaries, the ratio of the p99s (flooded / idle) and the flood's rate
 * while the keys were typed.
 */
export async function isolation(makeTyping, makeFlood, { count, pauseMs }) {
  const idle = await keystrokeEcho(makeTyping, { count, pauseMs });
  await sleep(100);
  const flood = await startFlood(makeFlood);
  let flooded;
  let floodMBps;
  try {
    const bytesBefore = flood.bytes();
    const started = performance.now();
    flooded = await keystrokeEcho(makeTyping, { count, pauseMs });
    floodMBps = (flood.bytes() - bytesBefore) / 1e6 / ((performance.now() - started) / 1000);
  } finally {
    await flood.term.close();
  }
  const idleSummary = { ...latencySummary(idle.latenciesMs), latenciesMs: idle.latenciesMs };
  const floodedSummary = { ...latencySummary(flooded.latenciesMs), latenciesMs: flooded.latenciesMs };
  return {
    idle: idleSummary,
    flooded: floodedSummary,
    p50Ratio: floodedSummary.p50 / idleSummary.p50,
    p99Ratio: floodedSummary.p99 / idleSummary.p99,
    floodMBps,
  };
}
