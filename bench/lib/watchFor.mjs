// Waiting for text in a bench terminal's output, shared by the workloads.
import { performance } from 'node:perf_hooks';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves `seen` with the time `marker` appeared in the output fed to
 * `check` (markers may straddle chunks); rejects after `timeoutMs` or when
 * the session ends first.
 */
export function watchFor(term, marker, timeoutMs, what) {
  let tail = '';
  let resolveSeen;
  const seen = new Promise((resolve, reject) => {
    resolveSeen = resolve;
    setTimeout(() => reject(new Error(`${what}: no "${marker}" within ${timeoutMs / 1000} s`)), timeoutMs).unref();
    term.exited.then((e) => reject(new Error(`${what}: session ended before "${marker}" (${JSON.stringify(e)})`)));
  });
  seen.catch(() => {});
  const check = (chunk) => {
    const text = tail + Buffer.from(chunk).toString('latin1');
    if (text.includes(marker)) resolveSeen(performance.now());
    tail = text.slice(-marker.length);
  };
  return { seen, check };
}

/** Bytes in a chunk from either system (Uint8Array from Fleetterm, Buffer from node-pty). */
export const chunkBytes = (chunk) => chunk.byteLength ?? chunk.length;
