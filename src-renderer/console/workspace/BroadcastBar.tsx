import { useShallow } from 'zustand/react/shallow';
import { broadcastTargets, describeScope } from '../store/broadcastSlice';
import { tabTitle } from '../store/workspaceSlice';
import { useConsoleStore } from '../store/useConsoleStore';
import { useWorkspaceRuntime } from './workspaceRuntime';

export interface BroadcastBarProps {
  onArmByLabel(): void;
}

/**
 * Broadcast at a glance: while armed, who receives (and who is excluded)
 * with a Disarm button; while disarmed, the ways to arm it, and why it
 * disarmed itself if it did.
 */
export function BroadcastBar({ onArmByLabel }: BroadcastBarProps) {
  const runtime = useWorkspaceRuntime();
  const scope = useConsoleStore((state) => state.broadcast.scope);
  const excluded = useConsoleStore((state) => state.broadcast.excluded);
  const disarmedBecause = useConsoleStore((state) => state.broadcast.disarmedBecause);
  const targets = useConsoleStore(useShallow((state) => broadcastTargets(state, runtime.labelsOf)));
  const panes = useConsoleStore((state) => state.workspace.panes);
  const tabs = useConsoleStore((state) => state.workspace.tabs);
  const activeTabId = useConsoleStore((state) => state.workspace.activeTabId);
  const disarm = useConsoleStore((state) => state.disarmBroadcast);
  const idleMinutes = useConsoleStore((state) => state.settings.broadcastIdleMinutes);
  const name = (paneId: string) => panes[paneId]?.machine ?? paneId;

  if (!scope) {
    return (
      <div className="broadcast-bar broadcast-bar--off" aria-label="Broadcast input">
        {disarmedBecause && (
          <span role="status" className="broadcast-bar__notice">
            Broadcast disarmed: {disarmedBecause}.
          </span>
        )}
        {activeTabId !== undefined && (
          <button
            type="button"
            className="button--quiet button--small"
            title="Type into every pane of this tab at once (Alt+Shift+B)"
            onClick={() => void runtime.arm({ kind: 'tab', tabId: activeTabId })}
          >
            Broadcast to this tab
          </button>
        )}
        <button
          type="button"
          className="button--quiet button--small"
          title="Type into every open pane whose machine has a label (Alt+Shift+L)"
          onClick={onArmByLabel}
        >
          Broadcast by label…
        </button>
      </div>
    );
  }

  const receiving = targets.filter((paneId) => !excluded.includes(paneId));
  const tabName = (tabId: string) => {
    const tab = tabs.find((candidate) => candidate.id === tabId);
    return tab ? tabTitle(tab, panes) : 'closed tab';
  };
  return (
    <div className="broadcast-bar broadcast-bar--armed" role="region" aria-label="Broadcast input">
      <span className="broadcast-bar__icon" aria-hidden="true">
        ⇶
      </span>
      <span data-testid="broadcast-targets">
        Broadcasting to {receiving.length === 1 ? '1 pane' : `${receiving.length} panes`} (
        {describeScope(scope, tabName)}): <strong>{receiving.map(name).join(', ') || 'none'}</strong>
        {excluded.length > 0 && targets.some((paneId) => excluded.includes(paneId)) && (
          <span className="broadcast-bar__excluded">
            {' '}
            · excluded:{' '}
            {targets
              .filter((paneId) => excluded.includes(paneId))
              .map(name)
              .join(', ')}
          </span>
        )}
      </span>
      {idleMinutes > 0 && <span className="card__hint">disarms after {idleMinutes} min without input</span>}
      <button type="button" className="button--small broadcast-bar__disarm" onClick={() => disarm()}>
        Disarm
      </button>
    </div>
  );
}
