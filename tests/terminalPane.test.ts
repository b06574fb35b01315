import react from '@vitejs/plugin-react';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser } from './harness/browser';

const unavailable = browserUnavailable();
const pageRoot = join(import.meta.dirname, '..', 'src-renderer', 'console', 'testing', 'flood');
const MiB = 1024 * 1024;
/** How long the flood runs: long enough for many pause/resume rounds and a full scrollback. */
const FLOOD_MS = 5_000;

interface Stats {
  sent: number;
  consumed: number;
  maxUnacknowledged: number;
  pauses: number;
  unparsed: number;
  renderer: string;
  status: string;
}

/**
 * One TerminalPane in Chromium, fed by a channel that floods like `yes`
 * behind the agent's flow control (pause at 1 MiB unacknowledged, resume
 * below 256 KiB). The page is built by Vite with the renderer's strict CSP.
 */
describe.skipIf(unavailable !== undefined)('a terminal pane under an output flood', () => {
  let outDir: string;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  const violations: string[] = [];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'fleetterm-flood-'));
    await build({
      root: pageRoot,
      configFile: false,
      logLevel: 'warn',
      plugins: [react()],
      build: { outDir, emptyOutDir: true, minify: false },
    });
    server = createServer((request, response) => {
      const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
      try {
        const body = readFileSync(join(outDir, path === '/' ? 'index.html' : path));
        const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
        response.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' });
        response.end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    cdp = await page.context().newCDPSession(page);
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction("window.flood?.stats().status === 'connected'");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  function stats(): Promise<Stats> {
    // Strings: this file is typechecked without the DOM; the page defines window.flood (floodPage.tsx).
    return page.evaluate('window.flood.stats()') as Promise<Stats>;
  }

  async function heapUsed(): Promise<number> {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  }

  it("applies xterm.css as a bundled file, and xterm's run-time styles, under style-src self", async () => {
    const style = (selector: string, property: string) =>
      page.evaluate(`getComputedStyle(document.querySelector('${selector}')).${property}`);
    // From xterm.css, a file: the hidden input stays hidden.
    expect(await style('.xterm-helper-textarea', 'opacity')).toBe('0');
    // From the <style> xterm writes at run time, which the policy blocks and inlineStyleMirror re-adopts.
    expect(await style('.xterm-rows', 'color')).toBe('rgb(226, 232, 240)');
    // The blocked originals are the only violations: no stylesheet or script was refused.
    expect(violations.filter((text) => !/Applying inline style/.test(text))).toEqual([]);
  });

  it('stays responsive, keeps unparsed output under the high watermark and the heap bounded', async () => {
    const heapBefore = await heapUsed();
    await page.evaluate('window.flood.start()');
    const clickMs: number[] = [];
    const started = Date.now();
    let clicks = 0;
    while (Date.now() - started < FLOOD_MS) {
      const before = Date.now();
      await page.getByRole('button', { name: /^Clicked/ }).click();
      clicks += 1;
      await expect.poll(() => page.getByRole('button', { name: /^Clicked/ }).textContent()).toBe(`Clicked ${clicks}`);
      clickMs.push(Date.now() - before);
    }
    const during = await stats();
    await page.evaluate('window.flood.stop()');
    // Everything sent gets parsed and acknowledged once the flood stops.
    await expect.poll(() => stats().then((s) => s.sent - s.consumed), { timeout: 10_000 }).toBe(0);
    const after = await stats();
    const heapAfter = await heapUsed();

    const seconds = FLOOD_MS / 1000;
    console.log(
      `flood: renderer ${during.renderer}, ${(after.consumed / MiB / seconds).toFixed(1)} MiB/s parsed, ` +
        `${after.pauses} pauses, max unacknowledged ${(after.maxUnacknowledged / MiB).toFixed(2)} MiB, ` +
        `clicks ${clickMs.length} (max ${Math.max(...clickMs)} ms, median ${clickMs.sort((a, b) => a - b)[clickMs.length >> 1]} ms), ` +
        `heap ${(heapBefore / MiB).toFixed(1)} → ${(heapAfter / MiB).toFixed(1)} MiB`,
    );
    // Throughput is a benchmark's business; here it only has to flow (the suite runs beside other load).
    expect(after.consumed).toBeGreaterThan(MiB);
    expect(after.pauses).toBeGreaterThan(0);
    // The flow control held: never more than the watermark plus one frame in flight.
    expect(after.maxUnacknowledged).toBeLessThanOrEqual(MiB + 64 * 1024);
    // The page stays responsive: clicks are handled within a second. The median, not the maximum: the
    // round trip includes Playwright and this 2-core machine runs other test files at the same time.
    expect(clickMs[clickMs.length >> 1]).toBeLessThan(1000);
    // The scrollback (10,000 lines) is most of what stays; the output itself does not pile up.
    expect(heapAfter - heapBefore).toBeLessThan(48 * MiB);
  }, 60_000);
});
