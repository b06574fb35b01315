// Workload 9 of issue 6: a large paste into a raw terminal.
import { performance } from 'node:perf_hooks';
import { watchFor } from './watchFor.mjs';

const WRITE_BYTES = 64 * 1024;
/** Above this many bytes queued on the link, the writer waits (as a terminal's writer would). */
const MAX_BACKLOG_BYTES = 1024 * 1024;

const nextTick = () => new Promise((r) => setImmediate(r));

/**
 * Writes `bytes` bytes of letters as input, WRITE_BYTES per write, into
 * `head -c BYTES >/dev/null` on a raw terminal, and times from the first
 * write to the `#DONE#` printed after head has read them all.
 */
export async function paste(makeTerminal, { bytes }) {
  const term = makeTerminal(`stty raw -echo; echo "#READY#"; head -c ${bytes} >/dev/null; echo "#DONE#"`);
  try {
    const ready = watchFor(term, '#READY#', 20_000, 'paste');
    const done = watchFor(term, '#DONE#', 120_000, 'paste');
    term.onData((chunk) => {
      ready.check(chunk);
      done.check(chunk);
    });
    await ready.seen;
    const text = Buffer.alloc(bytes, 'abcdefghijklmnopqrstuvwxyz');
    const started = performance.now();
    for (let at = 0; at < bytes; at += WRITE_BYTES) {
      while ((term.inputBacklog?.() ?? 0) > MAX_BACKLOG_BYTES) await nextTick();
      term.write(text.subarray(at, Math.min(bytes, at + WRITE_BYTES)));
      await nextTick();
    }
    const seconds = ((await done.seen) - started) / 1000;
    return { bytes, seconds, mbPerSecond: bytes / 1e6 / seconds };
  } finally {
    await term.close();
  }
}
