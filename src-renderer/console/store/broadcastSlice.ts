import type { StateCreator } from 'zustand/vanilla';
import { formatLabels, matchesLabels, type Labels } from '../../../common/labels';
import { panesOf } from '../workspace/paneLayout';
import type { WorkspaceSlice } from './workspaceSlice';

/**
 * Who receives broadcast input: every pane of a tab, panes chosen one by
 * one (across tabs), or every open pane whose machine matches a label
 * selector (panes opened later included).
 */
export type BroadcastScope =
  { kind: 'tab'; tabId: string } | { kind: 'panes'; paneIds: string[] } | { kind: 'selector'; selector: Labels };

export interface BroadcastState {
  /** Undefined while disarmed. */
  scope: BroadcastScope | undefined;
  /** Panes in the scope that receive nothing (their exclude toggle is on). */
  excluded: string[];
  /** Why it was last disarmed by itself (idle, no panes left), for the notice; cleared when armed again. */
  disarmedBecause: string | undefined;
}

export interface BroadcastSlice {
  broadcast: BroadcastState;
  armBroadcast(scope: BroadcastScope): void;
  disarmBroadcast(because?: string): void;
  /** Adds a pane to (or takes it out of) a broadcast of chosen panes, arming one if none is armed. */
  toggleBroadcastPane(paneId: string): void;
  toggleExcluded(paneId: string): void;
}

export const initialBroadcastState: BroadcastState = { scope: undefined, excluded: [], disarmedBecause: undefined };

/** Machine labels by name, for selector scopes (from the machine list). */
export type LabelsOf = (machine: string) => Labels | undefined;

/** Every pane in the scope, in tab order (excluded ones too). */
export function broadcastTargets(state: WorkspaceSlice & BroadcastSlice, labelsOf: LabelsOf): string[] {
  const scope = state.broadcast.scope;
  if (!scope) return [];
  const { tabs, panes } = state.workspace;
  const ordered = tabs.flatMap((tab) => panesOf(tab.layout));
  switch (scope.kind) {
    case 'tab': {
      const tab = tabs.find((candidate) => candidate.id === scope.tabId);
      return tab ? panesOf(tab.layout) : [];
    }
    case 'panes':
      return ordered.filter((paneId) => scope.paneIds.includes(paneId));
    case 'selector':
      return ordered.filter((paneId) => {
        const labels = labelsOf(panes[paneId]?.machine ?? '');
        return labels !== undefined && matchesLabels(labels, scope.selector);
      });
  }
}

/** The panes that receive what is typed: the targets less the excluded. */
export function broadcastReceivers(state: WorkspaceSlice & BroadcastSlice, labelsOf: LabelsOf): string[] {
  return broadcastTargets(state, labelsOf).filter((paneId) => !state.broadcast.excluded.includes(paneId));
}

/** How the scope reads on the broadcast bar. */
export function describeScope(scope: BroadcastScope, tabName: (tabId: string) => string): string {
  switch (scope.kind) {
    case 'tab':
      return `all panes of tab ${tabName(scope.tabId)}`;
    case 'panes':
      return 'chosen panes';
    case 'selector':
      return `machines labelled ${formatLabels(scope.selector)}`;
  }
}

export function createBroadcastSlice<S extends BroadcastSlice & WorkspaceSlice>(): StateCreator<
  S,
  [],
  [],
  BroadcastSlice
> {
  return (set, get) => {
    const update = (change: Partial<BroadcastState>) =>
      set((state) => ({ broadcast: { ...state.broadcast, ...change } }) as Partial<S>);
    return {
      broadcast: initialBroadcastState,
      armBroadcast: (scope) => update({ scope, excluded: [], disarmedBecause: undefined }),
      disarmBroadcast: (because) => {
        if (get().broadcast.scope) update({ scope: undefined, excluded: [], disarmedBecause: because });
      },
      toggleBroadcastPane: (paneId) => {
        const scope = get().broadcast.scope;
        if (scope?.kind !== 'panes') return update({ scope: { kind: 'panes', paneIds: [paneId] }, excluded: [] });
        const paneIds = scope.paneIds.includes(paneId)
          ? scope.paneIds.filter((id) => id !== paneId)
          : [...scope.paneIds, paneId];
        if (paneIds.length === 0) return update({ scope: undefined, excluded: [], disarmedBecause: undefined });
        update({ scope: { kind: 'panes', paneIds } });
      },
      toggleExcluded: (paneId) => {
        const excluded = get().broadcast.excluded;
        update({
          excluded: excluded.includes(paneId) ? excluded.filter((id) => id !== paneId) : [...excluded, paneId],
        });
      },
    };
  };
}
