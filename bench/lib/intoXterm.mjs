// Workload 3 of issue 6: output into a real xterm pane of the console in
// Debian's Chromium. The console's own TerminalPane (controller, flow control,
// xterm) on a page built from bench/xterm/, fed by a real session through the
// broker (browser WebSocket, TLS, agent, PTY) and, for comparison, the same
// bytes from memory (the renderer's own limit), alternately.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import react from '@vitejs/plugin-react';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { onCleanup } from './cleanup.mjs';
import { benchDirectory, startFleet } from './fleetterm.mjs';
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
async function mainThreadSeconds(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
}

/** One run in a fresh page: resolves with the page's result and the heap left after a forced GC. */
async function runPage(context, url) {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await cdp.send('Performance.enable');
    await page.goto(url);
    const before = await mainThreadSeconds(cdp);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`into xterm: not drained within ${RUN_TIMEOUT_MS / 1000} s`)),
        RUN_TIMEOUT_MS,
      );
    });
    const result = await Promise.race([page.evaluate('window.benchResult'), timeout]).finally(() =>
      clearTimeout(timer),
    );
    if (errors.length > 0) throw new Error(`into xterm: the page failed: ${errors.join('; ')}`);
    const busy = (await mainThreadSeconds(cdp)) - before;
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return { ...result, heapAfterGcMB: usedSize / 1e6, mainThreadSecondsPer100MB: (busy * 100e6) / result.bytes };
  } finally {
    await page.close();
  }
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
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-precise-memory-info'],
  });
  const unregister = onCleanup('chromium', () => browser.close());
  try {
    // The broker's certificate comes from its own CA, which this throwaway profile does not trust; TLS still runs.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 700 } });
    const query = (mode) =>
      new URLSearchParams({ mode, bytes: String(bytes), url: fleet.wsUrl, token: fleet.token, machine: fleet.machine });
    const runs = [];
    for (let round = 1; round <= rounds; round++) {
      const local = await runPage(context, `${server.origin}/?${query('local')}`);
      const real = await runPage(context, `${server.origin}/?${query('fleet')}`);
      runs.push({ round, local, fleet: real, ratio: real.mbPerSecond / local.mbPerSecond });
      console.error(
        `into xterm round ${round}/${rounds} (${real.renderer}): Fleetterm ${real.mbPerSecond.toFixed(1)} MB/s, ` +
          `peak heap ${real.peakHeapMB.toFixed(1)} MB; local feed ${local.mbPerSecond.toFixed(1)} MB/s, ` +
          `peak heap ${local.peakHeapMB.toFixed(1)} MB`,
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
      runs,
    };
  } finally {
    unregister();
    await browser.close();
    await fleet.stop();
    await server.close();
  }
}
