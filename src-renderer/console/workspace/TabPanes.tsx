import { useMemo } from 'react';
import type { TabState } from '../store/workspaceSlice';
import { paneRects } from './paneLayout';
import { WorkspacePane } from './WorkspacePane';

export interface TabPanesProps {
  tab: TabState;
  visible: boolean;
  /** The pane whose find bar is open, if any. */
  findingPaneId: string | undefined;
  onFindClosed(): void;
}

/**
 * The panes of one tab, each at its place in the split layout. Every tab
 * stays mounted while hidden, so its terminals keep their screens and
 * sessions; only the tab shown takes space.
 */
export function TabPanes({ tab, visible, findingPaneId, onFindClosed }: TabPanesProps) {
  const rects = useMemo(() => paneRects(tab.layout), [tab.layout]);
  return (
    <div
      className="tab-panes"
      role="tabpanel"
      id={`tabpanel-${tab.id}`}
      aria-labelledby={`tab-${tab.id}`}
      hidden={!visible}
      data-tab={tab.id}
    >
      {[...rects].map(([paneId, rect]) => (
        <WorkspacePane
          key={paneId}
          paneId={paneId}
          rect={rect}
          focused={tab.activePaneId === paneId}
          visible={visible}
          finding={findingPaneId === paneId}
          onFindClosed={onFindClosed}
        />
      ))}
    </div>
  );
}
