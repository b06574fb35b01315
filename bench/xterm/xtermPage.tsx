/**
 * The into-xterm workload's page (bench/lib/intoXterm.mjs): one TerminalPane,
 * the console's own controller and xterm, fed either by a real session
 * (?mode=fleet: ConsoleLink over the browser's WebSocket and TLS to the
 * broker, `head -c N /dev/zero | base64` in a PTY on an agent) or from memory
 * (?mode=local: the flood test's channel repeating the same base64 lines
 * behind the same flow control). `window.runBench()` starts it and resolves
 * once xterm has parsed everything. Bench support only.
 */
import { createRoot } from 'react-dom/client';
import '../../src-renderer/styles.css';
import { ConsoleLink } from '../../common/client';
import { createBrowserSocketFactory } from '../../src-renderer/console/browserSocket';
import { TerminalPane } from '../../src-renderer/console/TerminalPane';
import type { TerminalController } from '../../src-renderer/console/terminalController';
import type { ChannelLike, SessionSource } from '../../src-renderer/console/terminalLike';
import type { PaneStatus } from '../../src-renderer/console/terminalStatus';
import { FloodChannel } from '../../src-renderer/console/testing/flood/floodChannel';
import { metered, type Meter } from './meteredChannel';

interface BenchResult {
  mode: string;
  renderer: string;
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  peakHeapMB: number;
  starvedSeconds: number;
  starvedTimes: number;
  frames: number;
}

declare global {
  interface Window {
    /** Starts the run (the pane and its source) and resolves once xterm has parsed everything. */
    runBench?: () => Promise<BenchResult>;
  }
}

const query = new URLSearchParams(location.search);
const mode = query.get('mode') ?? 'local';
const inputBytes = Number(query.get('bytes'));
/** What `base64` prints through a PTY: 76 characters and CR LF per 57 input bytes. */
const LINE = `${'A'.repeat(76)}\r\n`;
const outputBytes = Math.ceil(inputBytes / 57) * LINE.length;

const meter: Meter = { firstByteAt: undefined, received: 0, consumed: 0, starvedMs: 0, starvedTimes: 0, frames: 0 };
let controller: TerminalController | undefined;
let peakHeap = 0;
/** Chromium's JS heap in use (precise with --enable-precise-memory-info), sampled every 50 ms. */
const heapUsed = () =>
  (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, heapUsed())), 50);

let settle!: { resolve: (r: BenchResult) => void; reject: (e: Error) => void };
const benchResult = new Promise<BenchResult>((resolve, reject) => (settle = { resolve, reject }));

/** Once no more output comes: polls between tasks for the moment xterm has parsed all of it. */
function awaitDrained(): void {
  const poll = new MessageChannel();
  poll.port1.onmessage = () => {
    if (!controller || controller.unparsedBytes > 0) return poll.port2.postMessage(0);
    const doneAt = performance.now();
    clearInterval(sampler);
    peakHeap = Math.max(peakHeap, heapUsed());
    const seconds = (doneAt - (meter.firstByteAt ?? doneAt)) / 1000;
    settle.resolve({
      mode,
      renderer: controller.renderer,
      bytes: meter.received,
      seconds,
      mbPerSecond: meter.received / 1e6 / seconds,
      peakHeapMB: peakHeap / 1e6,
      starvedSeconds: meter.starvedMs / 1000,
      starvedTimes: meter.starvedTimes,
      frames: meter.frames,
    });
  };
  poll.port2.postMessage(0);
}

function localSource(): { source: SessionSource; connected: () => void } {
  const flood = new FloodChannel(LINE);
  const channel = metered(flood, meter);
  const open = () => Promise.resolve<ChannelLike>(channel);
  let started = false;
  return {
    source: { open, attach: open },
    connected: () => {
      if (started) return;
      started = true;
      flood.onData(() => {
        if (flood.stats.sent < outputBytes) return;
        flood.stop();
        awaitDrained();
      });
      flood.start();
    },
  };
}

function fleetSource(): { source: SessionSource; connected: () => void } {
  const token = query.get('token') ?? '';
  const link = new ConsoleLink({
    socketFactory: createBrowserSocketFactory({ url: query.get('url') ?? '', token: () => token }),
    software: 'fleetterm-bench/0.1',
  });
  const command = `head -c ${inputBytes} /dev/zero | base64`;
  const machine = query.get('machine') ?? 'bench';
  return {
    source: {
      open: async (size) => metered(await link.open({ machine, mode: 'exec', command, ...size }), meter),
      attach: async (sessionId, offset) => metered(await link.attach(sessionId, offset), meter),
    },
    connected: () => {},
  };
}

const { source, connected } = mode === 'fleet' ? fleetSource() : localSource();

function onStatus(status: PaneStatus): void {
  if (status.kind === 'connected') connected();
  // The session ended: its exit follows its last output on the link.
  else if (status.kind === 'exited') awaitDrained();
  else if (status.kind === 'disconnected') settle.reject(new Error(`the session failed: ${JSON.stringify(status)}`));
}

// Started by the harness once the page has loaded, so the CPU it counts is the run's.
window.runBench = () => {
  const root = document.getElementById('root');
  if (root === null) throw new Error('no #root');
  createRoot(root).render(
    <div style={{ height: '100%' }}>
      <TerminalPane source={source} label="bench" onStatus={onStatus} onController={(c) => (controller = c)} />
    </div>,
  );
  return benchResult;
};
