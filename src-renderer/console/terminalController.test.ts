import { describe, expect, expectTypeOf, it } from 'vitest';
import { LinkClosedError, ProtocolRefusal, type TerminalChannel } from '../../common/client';
import { MAX_UNPARSED_BYTES, REPORT_BATCH_BYTES, REPORT_DELAY_MS, WRITE_PIECE_BYTES } from './outputFlow';
import { RESIZE_DEBOUNCE_MS, TerminalController, type TerminalControllerOptions } from './terminalController';
import type { ChannelLike } from './terminalLike';
import type { PaneStatus } from './terminalStatus';
import { FakeChannel, FakeSource, FakeTerminal, ManualTimers, settle } from './testing/fakes';

const KiB = 1024;

function setUp(options: Partial<TerminalControllerOptions> = {}) {
  const timers = new ManualTimers();
  const source = new FakeSource();
  let terminal!: FakeTerminal;
  const controller = new TerminalController({
    source,
    timers,
    createTerminal: (settings) => (terminal = new FakeTerminal(settings)),
    ...options,
  });
  const statuses: PaneStatus[] = [];
  controller.onStatus((status) => statuses.push(status));
  return { controller, source, terminal, timers, statuses };
}

/** A controller bound to an open channel. */
async function connected(options: Partial<TerminalControllerOptions> = {}) {
  const setup = setUp(options);
  const channel = new FakeChannel();
  setup.controller.start();
  await setup.source.answer(channel);
  return { ...setup, channel };
}

describe('flow control', () => {
  it('acknowledges output only once the terminal has parsed it', async () => {
    const { terminal, channel } = await connected();
    channel.output('hello');
    expect(terminal.queued).toBe(5);
    expect(channel.consumedCalls).toEqual([]);
    terminal.parse();
    expect(channel.consumedCalls).toEqual([5]);
  });

  it('batches: parsed bytes wait for the report delay while the terminal is still behind', async () => {
    const { terminal, channel, timers } = await connected();
    for (let i = 0; i < 10; i++) channel.output(new Uint8Array(1 * KiB));
    terminal.parse(4);
    expect(channel.consumedCalls).toEqual([]);
    timers.advance(REPORT_DELAY_MS - 1);
    expect(channel.consumedCalls).toEqual([]);
    timers.advance(1);
    expect(channel.consumedCalls).toEqual([4 * KiB]);
    // Caught up: the rest is reported at once, no timer.
    terminal.parse();
    expect(channel.consumedCalls).toEqual([4 * KiB, 6 * KiB]);
    expect(timers.count).toBe(0);
  });

  it('reports at once when a full batch was parsed, without waiting for the timer', async () => {
    const { terminal, channel } = await connected();
    const chunk = new Uint8Array(16 * KiB);
    for (let i = 0; i < 8; i++) channel.output(chunk);
    terminal.parse(REPORT_BATCH_BYTES / WRITE_PIECE_BYTES);
    expect(channel.consumedCalls).toEqual([REPORT_BATCH_BYTES]);
  });

  it('stops acknowledging while the terminal is behind, however much arrives', async () => {
    const { terminal, channel, timers, controller } = await connected();
    // A flood: 1 MiB (the agent's high watermark) arrives, nothing is parsed.
    for (let i = 0; i < 16; i++) channel.output(new Uint8Array(64 * KiB));
    timers.advance(10_000);
    expect(channel.consumedCalls).toEqual([]);
    expect(controller.unparsedBytes).toBe(1024 * KiB);
    // The terminal catches up slowly; every report covers only what was parsed.
    terminal.parse((3 * 64 * KiB) / WRITE_PIECE_BYTES);
    timers.advance(REPORT_DELAY_MS);
    expect(channel.consumedTotal).toBe(3 * 64 * KiB);
    terminal.parse();
    expect(channel.consumedTotal).toBe(1024 * KiB);
    expect(controller.unparsedBytes).toBe(0);
  });

  it('hands large frames to the terminal in pieces, so it can yield to the page between them', async () => {
    const { terminal, channel } = await connected();
    channel.output(new Uint8Array(60 * KiB));
    expect(terminal.written.map((w) => w.length)).toEqual([...Array(7).fill(WRITE_PIECE_BYTES), 4 * KiB]);
    terminal.parse();
    expect(channel.consumedTotal).toBe(60 * KiB);
  });

  it('reports every byte exactly once across many small writes', async () => {
    const { terminal, channel, timers } = await connected();
    let sent = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) {
        const size = 1 + ((round * 7 + i) % 300);
        channel.output(new Uint8Array(size));
        sent += size;
      }
      terminal.parse(3 + (round % 5));
      timers.advance(round % 3 === 0 ? REPORT_DELAY_MS : 1);
    }
    terminal.parse();
    timers.advance(REPORT_DELAY_MS);
    expect(channel.consumedTotal).toBe(sent);
  });

  it('drops output past MAX_UNPARSED_BYTES from a peer that ignores acks, and says so', async () => {
    const { terminal, channel, controller } = await connected();
    const chunk = new Uint8Array(1024 * KiB);
    const fits = MAX_UNPARSED_BYTES / chunk.byteLength;
    for (let i = 0; i < fits + 2; i++) channel.output(chunk);
    expect(controller.unparsedBytes).toBe(MAX_UNPARSED_BYTES);
    expect(terminal.text).toContain('of output dropped: the terminal fell too far behind');
    terminal.parse();
    // Dropped bytes count as consumed, so offsets and acks stay true.
    expect(channel.consumedTotal).toBe((fits + 2) * chunk.byteLength);
  });
});

describe('input, paste, resize and title', () => {
  it('sends keys and binary mouse reports to the session', async () => {
    const { terminal, channel } = await connected();
    terminal.data.fire('ls\r');
    terminal.binary.fire('\x1b[M \xff!');
    expect(channel.input[0]).toBe('ls\r');
    expect([...(channel.input[1] as Uint8Array)]).toEqual([0x1b, 0x5b, 0x4d, 0x20, 0xff, 0x21]);
  });

  it('pastes through the terminal, bracketed when the application asked, with markers in the text removed', async () => {
    const { terminal, channel, controller } = await connected();
    terminal.bracketedPasteMode = true;
    controller.paste('echo hi\x1b[201~; rm -rf ~\n');
    expect(terminal.pastes).toEqual(['echo hi; rm -rf ~\n']);
    expect(channel.input).toEqual(['\x1b[200~echo hi; rm -rf ~\r\x1b[201~']);
    // A native paste event goes the same way.
    terminal.pasteRequests.fire('a\x1b[20\x1b[201~1~b');
    expect(terminal.pastes[1]).toBe('ab');
  });

  it('offers keys and pastes to the owner first (broadcast), which may take them', async () => {
    const routed: Array<string | Uint8Array> = [];
    const { terminal, channel, controller } = await connected({
      routeInput: (data) => (routed.push(data), data !== 'local'),
    });
    expect(controller.boundChannel).toBe(channel);
    terminal.data.fire('everywhere');
    terminal.data.fire('local');
    expect(routed).toEqual(['everywhere', 'local']);
    expect(channel.input).toEqual(['local']);
  });

  it('asks before a paste when the owner wants to, and drops the paste it refused', async () => {
    const asked: string[] = [];
    let answer = false;
    const { terminal, channel, controller } = await connected({
      confirmPaste: (text) => (asked.push(text), Promise.resolve(answer)),
    });
    controller.paste('rm -rf /tmp/x\nls\n');
    await settle();
    expect(asked).toEqual(['rm -rf /tmp/x\nls\n']);
    expect(channel.input).toEqual([]);
    answer = true;
    terminal.pasteRequests.fire('ls\n');
    await settle();
    expect(channel.input).toEqual(['ls\r']);
  });

  it('resizes the PTY once the grid has stopped changing', async () => {
    const { terminal, channel, timers } = await connected();
    expect(channel.resizes).toEqual([{ cols: 80, rows: 24 }]);
    for (let cols = 81; cols <= 90; cols++) {
      terminal.resize(cols, 30);
      timers.advance(10);
    }
    expect(channel.resizes).toHaveLength(1);
    timers.advance(RESIZE_DEBOUNCE_MS);
    expect(channel.resizes).toEqual([
      { cols: 80, rows: 24 },
      { cols: 90, rows: 30 },
    ]);
  });

  it('opens at the terminal size and reports the title', async () => {
    const { source, terminal, controller } = setUp();
    terminal.cols = 132;
    terminal.rows = 43;
    const titles: string[] = [];
    controller.onTitle((title) => titles.push(title));
    controller.start();
    expect(source.calls).toEqual([{ kind: 'open', size: { cols: 132, rows: 43 } }]);
    terminal.title.fire('root@web-1: ~');
    terminal.title.fire('root@web-1: ~');
    expect(titles).toEqual(['root@web-1: ~']);
    expect(controller.title).toBe('root@web-1: ~');
  });

  it('passes scrollback and appearance settings to the terminal', () => {
    const { terminal, controller } = setUp({ settings: { scrollback: 500, fontSize: 16 } });
    expect(terminal.settings[0]).toEqual({ scrollback: 500, fontSize: 16 });
    controller.updateSettings({ fontSize: 18 });
    expect(terminal.settings[1]).toEqual({ fontSize: 18 });
  });
});

describe('status', () => {
  it('goes connecting, connected, reconnecting, connected as the channel resumes', async () => {
    const { statuses, channel, source } = await connected();
    channel.setStatus('resuming');
    channel.setStatus('open');
    expect(statuses.map((s) => s.kind)).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(source.calls).toHaveLength(1);
  });

  it('says when the next attempt is due if the owner knows', async () => {
    let retryAt: number | undefined = 5_000;
    const { controller, channel } = await connected({ retryAt: () => retryAt });
    channel.setStatus('resuming');
    expect(controller.status).toEqual({ kind: 'reconnecting', retryAt: 5_000 });
    retryAt = undefined;
    expect(controller.status).toEqual({ kind: 'reconnecting' });
  });

  it('reports an exit with its code, then restarts with a new open and reset modes', async () => {
    const { statuses, channel, source, controller, terminal } = await connected();
    channel.exit({ code: 3, signal: null });
    expect(statuses.at(-1)).toEqual({ kind: 'exited', code: 3, signal: null });
    controller.restart();
    expect(source.calls.map((c) => c.kind)).toEqual(['open', 'open']);
    expect(terminal.text).toContain('\x1b[?1049l');
    const next = new FakeChannel('session-2');
    await source.answer(next);
    expect(statuses.at(-1)).toEqual({ kind: 'connected' });
    // The old channel's events no longer reach the pane.
    expect(channel.listenerCount).toBe(0);
  });

  it('reports a closed channel and reconnects by taking the session up from its offset', async () => {
    const { statuses, channel, source, controller } = await connected();
    channel.output('abc');
    channel.closeWith({ code: 'LINK_CLOSED', message: 'the broker went away' });
    expect(statuses.at(-1)).toEqual({ kind: 'disconnected', code: 'LINK_CLOSED', reason: 'the broker went away' });
    controller.reconnect();
    expect(source.calls.at(-1)).toEqual({ kind: 'attach', sessionId: 'session-1', offset: 3 });
  });

  it('opens a new session on Reconnect when the old one is gone', async () => {
    const { channel, source, controller } = await connected();
    channel.closeWith({ code: 'RESUME_EXPIRED', message: 'could not resume the session within 5 min' });
    controller.reconnect();
    expect(source.calls.at(-1)?.kind).toBe('open');
  });

  it('shows a refused open with its code and reason', async () => {
    const { controller, source, statuses } = setUp();
    controller.start();
    await source.refuse(new ProtocolRefusal('POLICY_DENIED', 'no policy lets you open web-1 as root'));
    expect(statuses.at(-1)).toEqual({
      kind: 'disconnected',
      code: 'POLICY_DENIED',
      reason: 'no policy lets you open web-1 as root',
    });
  });

  it('marks a refused credential as UNAUTHORIZED', async () => {
    const { controller, source } = setUp();
    controller.start();
    await source.refuse(new LinkClosedError(4401, 'the access token was refused'));
    expect(controller.status).toEqual({
      kind: 'disconnected',
      code: 'UNAUTHORIZED',
      reason: 'the access token was refused',
    });
  });

  it('takes up a kept session when started with a resume point', async () => {
    const { controller, source } = setUp({ resume: { sessionId: 'session-9', offset: 1234 } });
    const sessions: string[] = [];
    controller.onSession((s) => sessions.push(s.sessionId));
    controller.start();
    expect(source.calls).toEqual([{ kind: 'attach', sessionId: 'session-9', offset: 1234 }]);
    await source.answer(new FakeChannel('session-9'));
    expect(sessions).toEqual(['session-9']);
    expect(controller.resumePoint).toEqual({ sessionId: 'session-9', offset: 0 });
  });

  it('writes a notice when output was lost', async () => {
    const { channel, terminal } = await connected();
    channel.lose({ from: 0, to: 2048 });
    expect(terminal.text).toContain('[fleetterm: 2.0 KiB of output lost]');
  });
});

describe('dispose', () => {
  it('detaches the session, stops reporting and releases every listener; twice is fine', async () => {
    const { controller, terminal, channel, timers } = await connected();
    channel.output('x'.repeat(100));
    terminal.resize(100, 40);
    controller.dispose();
    controller.dispose();
    expect(channel.detached).toBe(true);
    expect(channel.closed).toBe(false);
    expect(channel.listenerCount).toBe(0);
    expect(terminal.disposed).toBe(true);
    expect(timers.count).toBe(0);
    expect(terminal.data.size + terminal.title.size + terminal.resized.size + terminal.pasteRequests.size).toBe(0);
    expect(channel.consumedCalls).toEqual([]);
  });

  it('ends a session that opens after the pane is gone, so no shell is left behind unseen', async () => {
    const { controller, source, statuses } = setUp();
    controller.start();
    controller.dispose();
    const late = new FakeChannel();
    await source.answer(late);
    expect(late.closed).toBe(true);
    expect(statuses.map((s) => s.kind)).toEqual(['connecting']);
  });

  it('closes the session on request instead', async () => {
    const { controller, channel } = await connected();
    controller.closeSession();
    expect(channel.closed).toBe(true);
    await settle();
  });
});

describe('the real channel', () => {
  it('fits the interface the controller needs', () => {
    expectTypeOf<TerminalChannel>().toExtend<ChannelLike>();
  });
});
