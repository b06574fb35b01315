import type { StateCreator } from 'zustand/vanilla';
import {
  leaf,
  neighbourPane,
  panesOf,
  removePane,
  splitPane,
  type PaneLayout,
  type SplitDirection,
} from '../workspace/paneLayout';
import type { PaneStatus } from '../terminalStatus';

/** One terminal pane: which machine, which session (once bound), what the shell calls itself. */
export interface PaneState {
  id: string;
  machine: string;
  /** The session shown, once one is bound; a restored workspace takes it up again. */
  sessionId?: string;
  /** From the shell (OSC 0/2); empty until it sets one. */
  title: string;
  status: PaneStatus['kind'];
}

export interface TabState {
  id: string;
  /** A name the person gave the tab; otherwise it is named after its active pane. */
  customTitle?: string;
  layout: PaneLayout;
  activePaneId: string;
}

export interface WorkspaceState {
  tabs: TabState[];
  panes: Record<string, PaneState>;
  /** The tab shown; undefined shows the machine list. */
  activeTabId: string | undefined;
}

/** What a saved workspace holds (workspaceFile.ts reads and writes it). */
export interface SavedWorkspace {
  tabs: TabState[];
  panes: Array<Pick<PaneState, 'id' | 'machine' | 'sessionId' | 'title'>>;
  activeTabId?: string;
}

export type OpenMode = 'tabs' | 'grid';

export interface WorkspaceSlice {
  workspace: WorkspaceState;
  /** One tab per machine ('tabs'), or one tab with the machines side by side ('grid'). Shows the last tab opened. */
  openMachines(machines: readonly string[], mode?: OpenMode): string[];
  /** A new pane beside `paneId`, on `machine` (default: the same machine); focuses it. */
  splitPane(paneId: string, direction: SplitDirection, machine?: string): string | undefined;
  /** Closes a pane; a tab left without panes closes too. */
  closePane(paneId: string): void;
  closeTab(tabId: string): void;
  /** An empty title goes back to the automatic one. */
  renameTab(tabId: string, title: string): void;
  /** Moves a tab to position `index` (clamped). */
  moveTab(tabId: string, index: number): void;
  /** Shows a tab; undefined shows the machine list. */
  showTab(tabId: string | undefined): void;
  /** The tab after or before the one shown (the machine list counts as the first). */
  cycleTab(step: 1 | -1): void;
  /** Makes a pane the active one of its tab and shows that tab. */
  focusPane(paneId: string): void;
  /** The next or previous pane of the tab shown. */
  cyclePane(step: 1 | -1): void;
  updatePane(paneId: string, change: Partial<Pick<PaneState, 'sessionId' | 'title' | 'status'>>): void;
  restoreWorkspace(saved: SavedWorkspace): void;
  resetWorkspace(): void;
}

export interface WorkspaceDeps {
  /** Makes ids for tabs and panes; tests pass a counter. */
  newId?: () => string;
}

export const initialWorkspaceState: WorkspaceState = { tabs: [], panes: {}, activeTabId: undefined };

function randomId(): string {
  return globalThis.crypto.randomUUID().slice(0, 8);
}

/** Rows of up to ⌈√n⌉ panes, stacked: 4 machines make a 2×2 grid, 3 make 2 over 1. */
function gridLayout(paneIds: string[]): PaneLayout {
  if (paneIds.length === 1) return leaf(paneIds[0]!);
  const perRow = Math.ceil(Math.sqrt(paneIds.length));
  const rows: PaneLayout[] = [];
  for (let at = 0; at < paneIds.length; at += perRow) {
    const row = paneIds.slice(at, at + perRow).map(leaf);
    rows.push(row.length === 1 ? row[0]! : { kind: 'split', direction: 'row', children: row });
  }
  return rows.length === 1 ? rows[0]! : { kind: 'split', direction: 'column', children: rows };
}

/** Tabs, panes and which one is shown: metadata only (the terminals live in their controllers). */
export function createWorkspaceSlice<S extends WorkspaceSlice>(
  deps: WorkspaceDeps = {},
): StateCreator<S, [], [], WorkspaceSlice> {
  const newId = deps.newId ?? randomId;
  return (set, get) => {
    const state = () => get().workspace;
    const update = (next: Partial<WorkspaceState>) =>
      set((current) => ({ workspace: { ...current.workspace, ...next } }) as Partial<S>);
    const tabOf = (paneId: string) => state().tabs.find((tab) => panesOf(tab.layout).includes(paneId));
    const replaceTab = (tabs: TabState[], changed: TabState) =>
      tabs.map((tab) => (tab.id === changed.id ? changed : tab));
    const newPane = (machine: string): PaneState => ({ id: `p-${newId()}`, machine, title: '', status: 'connecting' });

    const closeTab = (tabId: string) => {
      const { tabs, panes, activeTabId } = state();
      const index = tabs.findIndex((tab) => tab.id === tabId);
      if (index < 0) return;
      const remaining = { ...panes };
      for (const paneId of panesOf(tabs[index]!.layout)) delete remaining[paneId];
      const rest = tabs.filter((tab) => tab.id !== tabId);
      // Closing the tab shown shows its neighbour (the one before, as browsers do when closing the last).
      const shown = activeTabId === tabId ? (rest[Math.min(index, rest.length - 1)]?.id ?? undefined) : activeTabId;
      update({ tabs: rest, panes: remaining, activeTabId: shown });
    };

    return {
      workspace: initialWorkspaceState,
      openMachines: (machines, mode = 'tabs') => {
        if (machines.length === 0) return [];
        const made = machines.map(newPane);
        const panes = { ...state().panes };
        for (const pane of made) panes[pane.id] = pane;
        const ids = made.map((pane) => pane.id);
        const tabs: TabState[] =
          mode === 'grid'
            ? [{ id: `t-${newId()}`, layout: gridLayout(ids), activePaneId: ids[0]! }]
            : ids.map((paneId) => ({ id: `t-${newId()}`, layout: leaf(paneId), activePaneId: paneId }));
        update({ tabs: [...state().tabs, ...tabs], panes, activeTabId: tabs[tabs.length - 1]!.id });
        return ids;
      },
      splitPane: (paneId, direction, machine) => {
        const tab = tabOf(paneId);
        const existing = state().panes[paneId];
        if (!tab || !existing) return undefined;
        const pane = newPane(machine ?? existing.machine);
        const changed = { ...tab, layout: splitPane(tab.layout, paneId, pane.id, direction), activePaneId: pane.id };
        update({ tabs: replaceTab(state().tabs, changed), panes: { ...state().panes, [pane.id]: pane } });
        return pane.id;
      },
      closePane: (paneId) => {
        const tab = tabOf(paneId);
        if (!tab) return;
        const layout = removePane(tab.layout, paneId);
        if (!layout) return closeTab(tab.id);
        const panes = { ...state().panes };
        delete panes[paneId];
        const activePaneId = tab.activePaneId === paneId ? neighbourPane(tab.layout, paneId, -1) : tab.activePaneId;
        update({ tabs: replaceTab(state().tabs, { ...tab, layout, activePaneId }), panes });
      },
      closeTab,
      renameTab: (tabId, title) => {
        const tab = state().tabs.find((candidate) => candidate.id === tabId);
        if (!tab) return;
        const trimmed = title.trim().slice(0, 80);
        const changed: TabState = { ...tab, customTitle: trimmed === '' ? undefined : trimmed };
        if (trimmed === '') delete changed.customTitle;
        update({ tabs: replaceTab(state().tabs, changed) });
      },
      moveTab: (tabId, index) => {
        const tabs = [...state().tabs];
        const from = tabs.findIndex((tab) => tab.id === tabId);
        if (from < 0) return;
        const [moved] = tabs.splice(from, 1);
        tabs.splice(Math.max(0, Math.min(index, tabs.length)), 0, moved!);
        update({ tabs });
      },
      showTab: (tabId) => {
        if (tabId === undefined || state().tabs.some((tab) => tab.id === tabId)) update({ activeTabId: tabId });
      },
      cycleTab: (step) => {
        const order = [undefined, ...state().tabs.map((tab) => tab.id)];
        const index = order.indexOf(state().activeTabId);
        update({ activeTabId: order[(index + step + order.length) % order.length] });
      },
      focusPane: (paneId) => {
        const tab = tabOf(paneId);
        if (!tab || (tab.activePaneId === paneId && state().activeTabId === tab.id)) return;
        update({ tabs: replaceTab(state().tabs, { ...tab, activePaneId: paneId }), activeTabId: tab.id });
      },
      cyclePane: (step) => {
        const tab = state().tabs.find((candidate) => candidate.id === state().activeTabId);
        if (!tab) return;
        const activePaneId = neighbourPane(tab.layout, tab.activePaneId, step);
        update({ tabs: replaceTab(state().tabs, { ...tab, activePaneId }) });
      },
      updatePane: (paneId, change) => {
        const pane = state().panes[paneId];
        if (!pane) return;
        if (Object.entries(change).every(([key, value]) => pane[key as keyof PaneState] === value)) return;
        update({ panes: { ...state().panes, [paneId]: { ...pane, ...change } } });
      },
      restoreWorkspace: (saved) => {
        const panes: Record<string, PaneState> = {};
        for (const pane of saved.panes) panes[pane.id] = { ...pane, status: 'connecting' };
        // Only tabs whose every pane was saved: a damaged file loses a tab, never shows a pane without a machine.
        const tabs = saved.tabs.filter((tab) => panesOf(tab.layout).every((paneId) => panes[paneId] !== undefined));
        const activeTabId = tabs.some((tab) => tab.id === saved.activeTabId) ? saved.activeTabId : undefined;
        update({ tabs, panes, activeTabId });
      },
      resetWorkspace: () => update(initialWorkspaceState),
    };
  };
}

/** The words on a tab: the name given, else the active pane's shell title, else its machine. */
export function tabTitle(tab: TabState, panes: Record<string, PaneState>): string {
  if (tab.customTitle) return tab.customTitle;
  const pane = panes[tab.activePaneId];
  if (!pane) return 'Terminal';
  const count = panesOf(tab.layout).length;
  const base = pane.title || pane.machine;
  return count > 1 ? `${base} +${count - 1}` : base;
}

/** Saves what a later start needs: layout, machines, sessions and titles (never status). */
export function saveWorkspace(state: WorkspaceState): SavedWorkspace {
  const saved: SavedWorkspace = {
    tabs: state.tabs,
    panes: Object.values(state.panes).map(({ id, machine, sessionId, title }) =>
      sessionId === undefined ? { id, machine, title } : { id, machine, sessionId, title },
    ),
  };
  if (state.activeTabId !== undefined) saved.activeTabId = state.activeTabId;
  return saved;
}
