// Workload 3 of issue 6: output into a real xterm pane of the console in
// Debian's Chromium. The console's own TerminalPane (controller, flow control,
// xterm) on a page built from bench/xterm/, fed by a real session through the
// broker (browser WebSocket, TLS, agent, PTY) and, for comparison, the same
// bytes from memory (the renderer's own limit), alternately.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { launchChromium } from './chromiumPage.mjs';
import { onCleanup } from './cleanup.mjs';
import { benchDirectory, startFleet } from './fleetterm.mjs';
import { cpuSeconds, cpuSince, machineCpuSeconds, treeCpu } from './procStat.mjs';
import { median } from './stats.mjs';

const PAGE_ROOT = resolve(import.meta.dirname, '../xterm');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUN_TIMEOUT_MS = 300_000;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves the built page on a loopback port; closed by cleanup. */
async function servePage(dir) {
  const server = createServer((request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(dir, path === '/' ? 'index.html' : path));
      response.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const close = () => new Promise((r) => server.close(r));
  const unregister = onCleanup('page server', close);
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => (unregister(), close()) };
}

/** Seconds the page's main thread has been busy (CDP Performance.getMetrics, TaskDuration). */
async function mainThreadSeconds(page) {
  const { metrics } = await page.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
}

/**
 * One run in a fresh tab, started once it has loaded: resolves with the page's result, the heap left
 * after a forced GC, and CPU seconds per 100 MB received: Chromium's
 * processes, the broker and agent (`transport`), and the rest of the machine
 * (the command and its PTY, the kernel's loopback, this harness).
 */
async function runPage(browser, url, transportPids) {
  const transportCpu = () => transportPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const page = await browser.newPage(url);
  try {
    await page.send('Performance.enable');
    const before = await mainThreadSeconds(page);
    const cpuBefore = { chromium: treeCpu(browser.pid), transport: transportCpu(), machine: machineCpuSeconds() };
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`into xterm: not drained within ${RUN_TIMEOUT_MS / 1000} s`)),
        RUN_TIMEOUT_MS,
      );
    });
    const result = await Promise.race([page.evaluate('window.runBench()'), timeout]).finally(() => clearTimeout(timer));
    if (page.errors.length > 0) throw new Error(`into xterm: the page failed: ${page.errors.join('; ')}`);
    const busy = (await mainThreadSeconds(page)) - before;
    const chromium = cpuSince(cpuBefore.chromium, treeCpu(browser.pid));
    const transport = transportCpu() - cpuBefore.transport;
    const machine = machineCpuSeconds() - cpuBefore.machine;
    await page.send('HeapProfiler.collectGarbage');
    const { usedSize } = await page.send('Runtime.getHeapUsage');
    const per100MB = (seconds) => (seconds * 100e6) / result.bytes;
    return {
      ...result,
      heapAfterGcMB: usedSize / 1e6,
      mainThreadSecondsPer100MB: per100MB(busy),
      cpuSecondsPer100MB: {
        chromium: per100MB(chromium),
        transport: per100MB(transport),
        rest: per100MB(Math.max(0, machine - chromium - transport)),
      },
    };
  } finally {
    await page.close();
  }
}

/**
 * What these cores could carry if the pane cost no more than in the local
 * feed: every core busy with the local feed's CPU per MB plus what the rest
 * of the machine spent per MB in the Fleetterm runs (Chromium's network work
 * counted as free), with the broker and agent as measured and with them
 * free. As ratios to the local feed's rate: ceilings of the workload's ratio here.
 */
function ceilings(runs) {
  const med = (get) => median(runs.map(get));
  const cores = availableParallelism();
  const cpu = (mode, part) => med((r) => r[mode].cpuSecondsPer100MB[part]) / 100;
  const localPerMB = cpu('local', 'chromium') + cpu('local', 'transport') + cpu('local', 'rest');
  const local = med((r) => r.local.mbPerSecond);
  const ceiling = (perMB) => ({ mbPerSecond: cores / perMB, ratio: Math.min(1, cores / perMB / local) });
  return {
    cores,
    cpuPerMB: { local: localPerMB, transport: cpu('fleet', 'transport'), rest: cpu('fleet', 'rest') },
    withTransport: ceiling(localPerMB + cpu('fleet', 'transport') + cpu('fleet', 'rest')),
    transportFree: ceiling(localPerMB + cpu('fleet', 'rest')),
  };
}

/**
 * `rounds` rounds of the local feed then the real session, each
 * `head -c bytes /dev/zero | base64` worth of output. Returns every run, the
 * medians and the median of the per-round ratios (fleet / local).
 */
export async function intoXterm(client, { bytes, rounds }) {
  if (!existsSync(CHROMIUM_PATH))
    return { skipped: `no Chromium at ${CHROMIUM_PATH} (install chromium or set CHROMIUM_PATH)` };
  const dir = benchDirectory();
  const outDir = join(dir, 'page');
  const built = performance.now();
  await build({
    root: PAGE_ROOT,
    configFile: false,
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  });
  const buildSeconds = (performance.now() - built) / 1000;
  const server = await servePage(outDir);
  // The page is not the broker's own: its origin is allowed as a desktop app's would be.
  const fleet = await startFleet(client, { brokerArgs: ['--allowed-origin', server.origin] });
  const browser = await launchChromium(CHROMIUM_PATH, { width: 1000, height: 700 });
  try {
    const query = (mode) =>
      new URLSearchParams({ mode, bytes: String(bytes), url: fleet.wsUrl, token: fleet.token, machine: fleet.machine });
    const transportPids = [fleet.brokerPid, ...fleet.agentPids];
    const runs = [];
    for (let round = 1; round <= rounds; round++) {
      const local = await runPage(browser, `${server.origin}/?${query('local')}`, transportPids);
      const real = await runPage(browser, `${server.origin}/?${query('fleet')}`, transportPids);
      runs.push({ round, local, fleet: real, ratio: real.mbPerSecond / local.mbPerSecond });
      console.error(
        `into xterm round ${round}/${rounds} (${real.renderer}): Fleetterm ${real.mbPerSecond.toFixed(1)} MB/s, ` +
          `peak heap ${real.peakHeapMB.toFixed(1)} MB; local feed ${local.mbPerSecond.toFixed(1)} MB/s, ` +
          `peak heap ${local.peakHeapMB.toFixed(1)} MB; CPU s per 100 MB: Chromium ${real.cpuSecondsPer100MB.chromium.toFixed(1)} ` +
          `(local ${local.cpuSecondsPer100MB.chromium.toFixed(1)}), broker and agent ` +
          `${real.cpuSecondsPer100MB.transport.toFixed(1)}, the rest ${real.cpuSecondsPer100MB.rest.toFixed(1)}`,
      );
    }
    const med = (get) => median(runs.map(get));
    return {
      inputBytes: bytes,
      buildSeconds,
      renderer: runs[0]?.fleet.renderer,
      fleet: {
        mbPerSecond: med((r) => r.fleet.mbPerSecond),
        peakHeapMB: Math.max(...runs.map((r) => r.fleet.peakHeapMB)),
      },
      local: {
        mbPerSecond: med((r) => r.local.mbPerSecond),
        peakHeapMB: Math.max(...runs.map((r) => r.local.peakHeapMB)),
      },
      ratio: med((r) => r.ratio),
      ceilings: ceilings(runs),
      runs,
    };
  } finally {
    await browser.close();
    await fleet.stop();
    await server.close();
  }
}
