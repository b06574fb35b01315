import { describe, expect, it } from 'vitest';
import { workspaceStore } from '../testing/workspaceStore';
import { FakeChannel, ManualTimers } from '../testing/fakes';
import type { ChannelLike } from '../terminalLike';
import { BroadcastRouter, type PasteQuestion } from './broadcastRouter';

function setUp() {
  const store = workspaceStore();
  const [a, b] = store.getState().openMachines(['web-1', 'web-2'], 'grid');
  const [c] = store.getState().openMachines(['db-1']);
  const channels = new Map<string, FakeChannel>([
    [a!, new FakeChannel()],
    [b!, new FakeChannel()],
    [c!, new FakeChannel()],
  ]);
  const sent: Array<{ channels: ChannelLike[]; data: string | Uint8Array }> = [];
  const questions: PasteQuestion[] = [];
  let answer = true;
  const timers = new ManualTimers();
  const router = new BroadcastRouter({
    store,
    channelOf: (paneId) => channels.get(paneId),
    labelsOf: (machine) => ({ 'web-1': { role: 'web' }, 'web-2': { role: 'web' }, 'db-1': { role: 'db' } })[machine],
    send: (to, data) => sent.push({ channels: to, data }),
    askPaste: (question) => (questions.push(question), Promise.resolve(answer)),
    timers,
  });
  const tabId = store.getState().workspace.tabs[0]!.id;
  return {
    store,
    router,
    timers,
    sent,
    questions,
    tabId,
    a: a!,
    b: b!,
    c: c!,
    channels,
    answer: (value: boolean) => (answer = value),
  };
}

describe('the broadcast router', () => {
  it('leaves input alone while disarmed', () => {
    const { router, a, sent } = setUp();
    expect(router.routeInput(a, 'ls\r')).toBe(false);
    expect(sent).toEqual([]);
  });

  it('sends what is typed in a receiving pane to every receiver at once', () => {
    const { store, router, tabId, a, b, c, sent, channels } = setUp();
    store.getState().armBroadcast({ kind: 'tab', tabId });
    expect(router.routeInput(b, 'uptime\r')).toBe(true);
    expect(sent).toEqual([{ channels: [channels.get(a), channels.get(b)], data: 'uptime\r' }]);
    // A pane outside the broadcast types into its own session only.
    expect(router.routeInput(c, 'x')).toBe(false);
  });

  it('skips excluded panes, and an excluded pane types only into itself', () => {
    const { store, router, a, b, c, sent, channels } = setUp();
    store.getState().armBroadcast({ kind: 'selector', selector: { role: 'web' } });
    store.getState().toggleBroadcastPane(c);
    store.getState().armBroadcast({ kind: 'panes', paneIds: [a, b, c] });
    store.getState().toggleExcluded(b);
    expect(router.routeInput(a, '\x03')).toBe(true);
    expect(sent[0]!.channels).toEqual([channels.get(a), channels.get(c)]);
    expect(router.routeInput(b, 'q')).toBe(false);
  });

  it('asks once about a multi-line paste with its lines and targets; a single line goes without asking', async () => {
    const { store, router, tabId, a, questions } = setUp();
    expect(router.confirmPaste(a, 'one\ntwo\n')).toBe(true);
    store.getState().armBroadcast({ kind: 'tab', tabId });
    expect(router.confirmPaste(a, 'just one line\n')).toBe(true);
    await expect(router.confirmPaste(a, 'apt update\r\napt upgrade -y\n')).resolves.toBe(true);
    expect(questions).toEqual([
      { lines: 2, bytes: 27, targets: ['web-1', 'web-2'], preview: 'apt update\napt upgrade -y' },
    ]);
  });

  it('disarms after the idle time without broadcast input, each input starting the time again', () => {
    const { store, router, timers, tabId, a } = setUp();
    store.getState().updateSettings({ broadcastIdleMinutes: 2 });
    store.getState().armBroadcast({ kind: 'tab', tabId });
    timers.advance(90_000);
    router.routeInput(a, 'k');
    timers.advance(90_000);
    expect(store.getState().broadcast.scope).toBeDefined();
    timers.advance(30_000);
    expect(store.getState().broadcast).toMatchObject({
      scope: undefined,
      disarmedBecause: 'no broadcast input for 2 minutes',
    });
    expect(timers.count).toBe(0);
  });

  it('disarms when every pane of its tab or every chosen pane was closed, but a label scope waits for panes', () => {
    const { store, tabId, a, b, c } = setUp();
    store.getState().armBroadcast({ kind: 'tab', tabId });
    store.getState().closePane(a);
    expect(store.getState().broadcast.scope).toBeDefined();
    store.getState().closePane(b);
    expect(store.getState().broadcast).toMatchObject({ scope: undefined, disarmedBecause: 'its panes were closed' });

    store.getState().armBroadcast({ kind: 'selector', selector: { role: 'db' } });
    store.getState().closePane(c);
    expect(store.getState().broadcast.scope).toEqual({ kind: 'selector', selector: { role: 'db' } });
  });

  it('never disarms by itself when the idle time is 0, and stops its timer when disposed', () => {
    const { store, router, timers, tabId } = setUp();
    store.getState().armBroadcast({ kind: 'tab', tabId });
    expect(timers.count).toBe(1);
    store.getState().updateSettings({ broadcastIdleMinutes: 0 });
    expect(timers.count).toBe(0);
    store.getState().updateSettings({ broadcastIdleMinutes: 5 });
    router.dispose();
    expect(timers.count).toBe(0);
  });
});
