// Workload 11 of issue 6: from asking for a terminal to its first output byte.
import { performance } from 'node:perf_hooks';
import { median } from './stats.mjs';

/**
 * Opens `count` interactive terminals one after the other with
 * `makeTerminal()` (a login shell) and times each from the call to the first
 * output byte (the prompt); each is closed before the next opens.
 */
export async function openTime(makeTerminal, { count }) {
  const samplesMs = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const term = makeTerminal();
    try {
      const firstByte = new Promise((resolve, reject) => {
        term.onData(() => resolve(performance.now()));
        term.exited.then((e) => reject(new Error(`open time: session ended before any output (${JSON.stringify(e)})`)));
        setTimeout(() => reject(new Error('open time: no output within 20 s')), 20_000).unref();
      });
      samplesMs.push((await firstByte) - started);
    } finally {
      await term.close();
    }
  }
  return { medianMs: median(samplesMs), samplesMs };
}
