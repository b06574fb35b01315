/**
 * A page with one TerminalPane fed by a FloodChannel, for tests/terminalPane.test.ts
 * (responsiveness and memory during a flood, in Chromium). Test support only.
 */
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import '../../../styles.css';
import type { TerminalController } from '../../terminalController';
import type { SessionSource, TerminalSettings } from '../../terminalLike';
import { TerminalPane } from '../../TerminalPane';
import { FloodChannel, type FloodStats } from './floodChannel';

interface FloodApi {
  start(): void;
  stop(): void;
  resetLag(): void;
  stats(): FloodStats & { unparsed: number; renderer: string; status: string; maxLagMs: number };
}

declare global {
  interface Window {
    flood?: FloodApi;
  }
}

// ?line=…: the repeated output; ?gpu=on|off|auto: the renderer choice.
const query = new URLSearchParams(location.search);
const channel = new FloodChannel(query.get('line') ?? undefined);
const gpu = query.get('gpu');
const settings: TerminalSettings = { gpuAcceleration: gpu === 'on' || gpu === 'off' ? gpu : 'auto' };
let controller: TerminalController | undefined;

/** The longest the main thread was busy (a 20 ms interval that fired late), since the last reset. */
let maxLagMs = 0;
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  maxLagMs = Math.max(maxLagMs, now - lastTick - 20);
  lastTick = now;
}, 20);

window.flood = {
  start: () => {
    maxLagMs = 0;
    channel.start();
  },
  stop: () => channel.stop(),
  resetLag: () => {
    maxLagMs = 0;
  },
  stats: () => ({
    ...channel.stats,
    unparsed: controller?.unparsedBytes ?? -1,
    renderer: controller?.renderer ?? 'none',
    status: controller?.status.kind ?? 'none',
    maxLagMs: Math.round(maxLagMs),
  }),
};

function FloodPage() {
  const source = useMemo<SessionSource>(
    () => ({ open: () => Promise.resolve(channel), attach: () => Promise.resolve(channel) }),
    [],
  );
  const [clicks, setClicks] = useState(0);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <button type="button" onClick={() => setClicks((n) => n + 1)}>
        Clicked {clicks}
      </button>
      <div style={{ flex: 1, minHeight: 0 }}>
        <TerminalPane source={source} label="flood" settings={settings} onController={(c) => (controller = c)} />
      </div>
    </div>
  );
}

const root = document.getElementById('root');
if (root === null) throw new Error('no #root');
createRoot(root).render(
  <StrictMode>
    <FloodPage />
  </StrictMode>,
);
