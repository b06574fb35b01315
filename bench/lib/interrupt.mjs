// Workload 8 of issue 6: Ctrl-C during a flood of output.
import { performance } from 'node:perf_hooks';
import { median } from './stats.mjs';
import { chunkBytes, sleep, watchFor } from './watchFor.mjs';

/**
 * Runs `yes` in an interactive shell (output acknowledged at once), sends
 * Ctrl-C after `floodMs`, and right after it `echo MARK-$((1+N))`: the shell
 * is back when `MARK-<1+N>` arrives (the echoed command line shows the
 * unexpanded form). Does that `count` times in the one session, since single
 * interrupts vary several-fold (the shell's prompt, two busy cores); returns
 * the medians of the time back and of the bytes received after Ctrl-C, and
 * every time back.
 */
export async function interruptFlood(makeTerminal, { floodMs, count = 1 }) {
  const term = makeTerminal(undefined);
  try {
    const ready = watchFor(term, 'READY-42', 20_000, 'interrupt');
    let watch = ready;
    let bytes = 0;
    term.onData((chunk) => {
      bytes += chunkBytes(chunk);
      watch.check(chunk);
    });
    term.write('echo READY-$((40+2))\r');
    await ready.seen;

    const samples = [];
    for (let n = 1; n <= count; n++) {
      term.write('yes\r');
      const floodStartBytes = bytes;
      await sleep(floodMs);
      watch = watchFor(term, `MARK-${1 + n}`, 30_000, 'interrupt');
      const floodBytes = bytes - floodStartBytes;
      const interruptedAt = performance.now();
      term.write('\x03');
      term.write(`echo MARK-$((1+${n}))\r`);
      const bytesAtInterrupt = bytes;
      const backAt = await watch.seen;
      samples.push({ backMs: backAt - interruptedAt, bytesAfterInterrupt: bytes - bytesAtInterrupt, floodBytes });
    }
    return {
      backMs: median(samples.map((s) => s.backMs)),
      bytesAfterInterrupt: median(samples.map((s) => s.bytesAfterInterrupt)),
      floodBytes: median(samples.map((s) => s.floodBytes)),
      backMsSamples: samples.map((s) => s.backMs),
    };
  } finally {
    await term.close();
  }
}
