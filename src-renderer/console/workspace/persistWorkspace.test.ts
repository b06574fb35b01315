import { describe, expect, it } from 'vitest';
import { createConsoleStore } from '../store/consoleStore';
import { ManualTimers } from '../testing/fakes';
import { persistWorkspace, restoreFrom, SAVE_DELAY_MS } from './persistWorkspace';
import { WorkspaceFile } from './workspaceFile';

function setUp() {
  const items = new Map<string, string>();
  let writes = 0;
  const storage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      writes += 1;
      items.set(key, value);
    },
  };
  const file = new WorkspaceFile(storage, 'http://localhost#alice');
  const store = () =>
    createConsoleStore({
      fetchMachines: () => Promise.resolve({ ok: true, value: { machines: [] } }),
      settings: file.loadSettings(),
    });
  return { file, store, writes: () => writes };
}

describe('keeping the workspace', () => {
  it('writes once after a burst of changes, and restores tabs, sessions and settings in a new store', () => {
    const { file, store, writes } = setUp();
    const timers = new ManualTimers();
    const first = store();
    const kept = persistWorkspace(first, file, timers);
    const [pane] = first.getState().openMachines(['web-1']);
    first.getState().updatePane(pane!, { sessionId: 's-1', title: 'top' });
    first.getState().updateSettings({ fontSize: 17 });
    expect(writes()).toBe(0);
    timers.advance(SAVE_DELAY_MS);
    expect(writes()).toBe(2);
    kept.dispose();

    const second = store();
    restoreFrom(second, file);
    expect(second.getState().settings.fontSize).toBe(17);
    expect(second.getState().workspace.panes[pane!]).toMatchObject({
      machine: 'web-1',
      sessionId: 's-1',
      title: 'top',
    });
    expect(second.getState().workspace.activeTabId).toBe(first.getState().workspace.activeTabId);
  });

  it('writes what is pending at once when flushed (the page is going away)', () => {
    const { file, store, writes } = setUp();
    const timers = new ManualTimers();
    const kept = persistWorkspace(store(), file, timers);
    kept.flush();
    expect(writes()).toBe(0);
    const s = store();
    const other = persistWorkspace(s, file, timers);
    s.getState().openMachines(['db-1']);
    other.flush();
    expect(writes()).toBe(2);
    expect(timers.count).toBe(0);
    kept.dispose();
    other.dispose();
  });
});
