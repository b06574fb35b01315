import { describe, expect, it } from 'vitest';
import { panesOf } from '../workspace/paneLayout';
import { workspaceStore } from '../testing/workspaceStore';
import { saveWorkspace, tabTitle } from './workspaceSlice';

const newStore = workspaceStore;

describe('the workspace slice', () => {
  it('opens one tab per machine and shows the last; a grid puts machines in one tab', () => {
    const store = newStore();
    const panes = store.getState().openMachines(['web-1', 'web-2']);
    const { tabs, activeTabId } = store.getState().workspace;
    expect(tabs.map((tab) => panesOf(tab.layout))).toEqual([[panes[0]], [panes[1]]]);
    expect(activeTabId).toBe(tabs[1]!.id);

    store.getState().openMachines(['a', 'b', 'c', 'd'], 'grid');
    const grid = store.getState().workspace.tabs[2]!;
    expect(grid.layout).toMatchObject({
      kind: 'split',
      direction: 'column',
      children: [{ direction: 'row' }, { direction: 'row' }],
    });
    expect(panesOf(grid.layout).map((id) => store.getState().workspace.panes[id]!.machine)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('splits a pane on the same machine and focuses the new pane; closing it focuses its neighbour', () => {
    const store = newStore();
    const [first] = store.getState().openMachines(['web-1']);
    const second = store.getState().splitPane(first!, 'row')!;
    let tab = store.getState().workspace.tabs[0]!;
    expect(tab.activePaneId).toBe(second);
    expect(store.getState().workspace.panes[second]!.machine).toBe('web-1');
    expect(tabTitle(tab, store.getState().workspace.panes)).toBe('web-1 +1');

    store.getState().closePane(second);
    tab = store.getState().workspace.tabs[0]!;
    expect(tab.activePaneId).toBe(first);
    expect(store.getState().workspace.panes[second]).toBeUndefined();
  });

  it('closes the tab with its last pane and shows its neighbour, then the machine list', () => {
    const store = newStore();
    const [a, b] = store.getState().openMachines(['a', 'b']);
    store.getState().closePane(b!);
    expect(store.getState().workspace.tabs).toHaveLength(1);
    expect(store.getState().workspace.activeTabId).toBe(store.getState().workspace.tabs[0]!.id);
    store.getState().closePane(a!);
    expect(store.getState().workspace).toMatchObject({ tabs: [], panes: {}, activeTabId: undefined });
  });

  it('renames a tab (blank goes back to the automatic title) and takes the shell title otherwise', () => {
    const store = newStore();
    const [pane] = store.getState().openMachines(['web-1']);
    const tabId = store.getState().workspace.tabs[0]!.id;
    store.getState().updatePane(pane!, { title: 'root@web-1: /var/log' });
    const title = () => tabTitle(store.getState().workspace.tabs[0]!, store.getState().workspace.panes);
    expect(title()).toBe('root@web-1: /var/log');
    store.getState().renameTab(tabId, '  logs  ');
    expect(title()).toBe('logs');
    store.getState().renameTab(tabId, ' ');
    expect(title()).toBe('root@web-1: /var/log');
  });

  it('reorders tabs, clamping the position, and cycles through them with the machine list first', () => {
    const store = newStore();
    store.getState().openMachines(['a', 'b', 'c']);
    const ids = store.getState().workspace.tabs.map((tab) => tab.id);
    store.getState().moveTab(ids[2]!, 0);
    store.getState().moveTab(ids[0]!, 99);
    expect(store.getState().workspace.tabs.map((tab) => tab.id)).toEqual([ids[2], ids[1], ids[0]]);

    store.getState().showTab(undefined);
    store.getState().cycleTab(1);
    expect(store.getState().workspace.activeTabId).toBe(ids[2]);
    store.getState().cycleTab(-1);
    store.getState().cycleTab(-1);
    expect(store.getState().workspace.activeTabId).toBe(ids[0]);
  });

  it('cycles panes within the tab shown and focuses a pane in another tab by showing that tab', () => {
    const store = newStore();
    const [a] = store.getState().openMachines(['a']);
    const b = store.getState().splitPane(a!, 'column')!;
    const [c] = store.getState().openMachines(['c']);
    store.getState().focusPane(a!);
    expect(store.getState().workspace.activeTabId).toBe(store.getState().workspace.tabs[0]!.id);
    store.getState().cyclePane(1);
    expect(store.getState().workspace.tabs[0]!.activePaneId).toBe(b);
    expect(store.getState().workspace.tabs[1]!.activePaneId).toBe(c);
  });

  it('saves layouts, machines, sessions and titles, and restores them without status', () => {
    const store = newStore();
    const [a] = store.getState().openMachines(['a']);
    store.getState().splitPane(a!, 'row', 'b');
    store.getState().updatePane(a!, { sessionId: 's-1', title: 'vim', status: 'connected' });
    const saved = JSON.parse(JSON.stringify(saveWorkspace(store.getState().workspace)));

    const restored = newStore();
    restored.getState().restoreWorkspace(saved);
    expect(restored.getState().workspace.tabs).toEqual(store.getState().workspace.tabs);
    expect(restored.getState().workspace.panes[a!]).toEqual({
      id: a,
      machine: 'a',
      sessionId: 's-1',
      title: 'vim',
      status: 'connecting',
    });
    expect(restored.getState().workspace.activeTabId).toBe(store.getState().workspace.activeTabId);
  });

  it('drops a saved tab that names a pane the file does not hold', () => {
    const store = newStore();
    store.getState().restoreWorkspace({
      tabs: [
        { id: 't1', layout: { kind: 'pane', paneId: 'p1' }, activePaneId: 'p1' },
        { id: 't2', layout: { kind: 'pane', paneId: 'missing' }, activePaneId: 'missing' },
      ],
      panes: [{ id: 'p1', machine: 'a', title: '' }],
      activeTabId: 't2',
    });
    expect(store.getState().workspace.tabs.map((tab) => tab.id)).toEqual(['t1']);
    expect(store.getState().workspace.activeTabId).toBeUndefined();
  });
});
