// Workload 8 of issue 6: Ctrl-C during a flood of output.
import { performance } from 'node:perf_hooks';
import { chunkBytes, sleep, watchFor } from './watchFor.mjs';

/**
 * Runs `yes` in an interactive shell (output acknowledged at once), sends
 * Ctrl-C after `floodMs`, and right after it `echo MARK-$((1+1))`: the shell
 * is back when `MARK-2` arrives (the echoed command line shows the
 * unexpanded form). Returns that time and the bytes received after Ctrl-C.
 */
export async function interruptFlood(makeTerminal, { floodMs }) {
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

    term.write('yes\r');
    const floodStartBytes = bytes;
    await sleep(floodMs);
    watch = watchFor(term, 'MARK-2', 30_000, 'interrupt');
    const floodBytes = bytes - floodStartBytes;
    const interruptedAt = performance.now();
    term.write('\x03');
    term.write('echo MARK-$((1+1))\r');
    const bytesAtInterrupt = bytes;
    const backAt = await watch.seen;
    return {
      backMs: backAt - interruptedAt,
      bytesAfterInterrupt: bytes - bytesAtInterrupt,
      floodBytes,
    };
  } finally {
    await term.close();
  }
}
