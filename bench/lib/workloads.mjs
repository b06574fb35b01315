// The workloads, written once against a "bench terminal" (onData, write,
// exited, close, transportPids) that both systems provide.
import { performance } from 'node:perf_hooks';
import { cpuSeconds } from './procStat.mjs';
import { sleep, watchFor } from './watchFor.mjs';

/**
 * Keystroke echo: `count` printable characters into `cat` on a raw remote
 * terminal, each waiting for its echo, with a fixed pause between keys.
 * Returns the latencies in milliseconds.
 */
export async function keystrokeEcho(makeTerminal, { count, pauseMs }) {
  const term = makeTerminal('stty raw -echo; echo "#READY#"; exec cat');
  try {
    const ready = watchFor(term, '#READY#', 20_000, 'echo');
    let expected;
    let resolveEcho;
    term.onData((chunk) => {
      ready.check(chunk);
      if (expected !== undefined && Buffer.from(chunk).includes(expected)) {
        expected = undefined;
        resolveEcho(performance.now());
      }
    });
    await ready.seen;
    const latencies = [];
    for (let i = 0; i < count; i++) {
      await sleep(pauseMs);
      const key = String.fromCharCode(97 + (i % 26));
      const echoed = new Promise((resolve) => (resolveEcho = resolve));
      expected = key.charCodeAt(0);
      const started = performance.now();
      term.write(key);
      const timeout = sleep(10_000).then(() => Promise.reject(new Error(`echo: key ${i} not echoed within 10 s`)));
      latencies.push((await Promise.race([echoed, timeout])) - started);
    }
    return { latenciesMs: latencies };
  } finally {
    await term.close();
  }
}

/**
 * Bulk output: `head -c BYTES /dev/zero | base64` printed by the remote
 * shell, consumed (and acknowledged) at once. Throughput is timed from the
 * first byte to the end marker; the time to the first byte is reported
 * separately; CPU of the transport processes is measured over the same span.
 */
export async function bulkOutput(makeTerminal, { inputBytes }) {
  const started = performance.now();
  // '#' is not in the base64 alphabet, so the marker cannot occur in the data.
  const term = makeTerminal(`head -c ${inputBytes} /dev/zero | base64; echo "#END#"; read x`);
  try {
    const end = watchFor(term, '#END#', 300_000, 'bulk');
    let firstByteAt;
    let bytes = 0;
    let cpuAtFirstByte = 0;
    let pids = [];
    const cpuNow = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    term.onData((chunk) => {
      if (firstByteAt === undefined) {
        firstByteAt = performance.now();
        pids = term.transportPids();
        cpuAtFirstByte = cpuNow();
      }
      bytes += chunk.byteLength ?? chunk.length;
      end.check(chunk);
    });
    const endedAt = await end.seen;
    const cpu = cpuNow() - cpuAtFirstByte;
    term.write('\r'); // lets `read x` end the session
    const seconds = (endedAt - firstByteAt) / 1000;
    return {
      outputBytes: bytes,
      handshakeMs: firstByteAt - started,
      seconds,
      mbPerSecond: bytes / 1e6 / seconds,
      transportCpuSeconds: cpu,
      // No transport process (a local PTY): nothing to count, not zero.
      cpuSecondsPer100MB: pids.length > 0 ? (cpu * 100e6) / bytes : NaN,
      transportProcesses: pids.length,
    };
  } finally {
    await term.close();
  }
}
