import { useEffect, useMemo, useState } from 'react';
import { broadcastTargets } from '../store/broadcastSlice';
import { useConsoleStore } from '../store/useConsoleStore';
import { TerminalPane } from '../TerminalPane';
import type { PaneRect } from './paneLayout';
import { FindBar } from './FindBar';
import { terminalSettingsOf } from './terminalThemes';
import { useWorkspaceRuntime } from './workspaceRuntime';

export interface WorkspacePaneProps {
  paneId: string;
  rect: PaneRect;
  /** The active pane of the tab shown: it has the keyboard. */
  focused: boolean;
  /** Its tab is shown. */
  visible: boolean;
  finding: boolean;
  onFindClosed(): void;
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(4)}%`;

/**
 * One pane of a tab: a bar (machine, shell title, broadcast state, split
 * and close) over the terminal. Positioned by its rectangle, so splitting
 * or closing a neighbour moves it without making a new terminal.
 */
export function WorkspacePane({ paneId, rect, focused, visible, finding, onFindClosed }: WorkspacePaneProps) {
  const runtime = useWorkspaceRuntime();
  const pane = useConsoleStore((state) => state.workspace.panes[paneId]);
  const settings = useConsoleStore((state) => state.settings);
  const targeted = useConsoleStore((state) => broadcastTargets(state, runtime.labelsOf).includes(paneId));
  const excluded = useConsoleStore((state) => state.broadcast.excluded.includes(paneId));
  const updatePane = useConsoleStore((state) => state.updatePane);
  const focusPane = useConsoleStore((state) => state.focusPane);
  const splitPane = useConsoleStore((state) => state.splitPane);
  const toggleExcluded = useConsoleStore((state) => state.toggleExcluded);
  const machine = pane?.machine ?? '';
  const source = useMemo(() => runtime.connection.sourceFor(machine), [runtime, machine]);
  // Read once: a restored pane takes its session up again, replaying what the agent kept.
  const [resume] = useState(() => (pane?.sessionId ? { sessionId: pane.sessionId, offset: 0 } : undefined));
  const terminalSettings = useMemo(() => terminalSettingsOf(settings), [settings]);

  useEffect(() => {
    if (focused && visible) runtime.controllers.get(paneId)?.focus();
  }, [focused, visible, runtime, paneId]);

  if (!pane) return null;
  const receiving = targeted && !excluded;
  const classes = ['workspace-pane'];
  if (focused) classes.push('workspace-pane--focused');
  if (receiving) classes.push('workspace-pane--receiving');
  if (targeted && excluded) classes.push('workspace-pane--excluded');
  const close = () => runtime.closePane(paneId);

  return (
    <section
      className={classes.join(' ')}
      data-pane={paneId}
      data-machine={machine}
      style={{
        left: percent(rect.left),
        top: percent(rect.top),
        width: percent(rect.width),
        height: percent(rect.height),
      }}
      onFocus={() => focusPane(paneId)}
      onMouseDown={() => focusPane(paneId)}
    >
      <header className="workspace-pane__bar">
        <span className="workspace-pane__machine">{machine}</span>
        {pane.title && <span className="workspace-pane__title">{pane.title}</span>}
        {targeted && (
          <button
            type="button"
            className={`workspace-pane__broadcast${excluded ? ' is-excluded' : ''}`}
            aria-pressed={excluded}
            aria-label={excluded ? `Include ${machine} in the broadcast` : `Exclude ${machine} from the broadcast`}
            title={
              excluded
                ? 'Excluded: gets nothing typed elsewhere. Click to include.'
                : 'Receiving broadcast input. Click to exclude.'
            }
            onClick={() => toggleExcluded(paneId)}
          >
            {excluded ? 'Excluded' : 'Receiving'}
          </button>
        )}
        <span className="workspace-pane__actions">
          <button
            type="button"
            className={`icon-button${targeted ? ' is-on' : ''}`}
            aria-pressed={targeted}
            aria-label={targeted ? `Take ${machine} out of the broadcast` : `Add ${machine} to a broadcast`}
            title={
              targeted
                ? 'Take this pane out of the broadcast (Alt+Shift+I)'
                : 'Add this pane to a broadcast (Alt+Shift+I)'
            }
            onClick={() => void runtime.togglePane(paneId)}
          >
            ⇶
          </button>
          {[
            {
              label: `Split ${machine} right`,
              title: 'Split right (Alt+Shift+D)',
              icon: '◧',
              run: () => splitPane(paneId, 'row'),
            },
            {
              label: `Split ${machine} down`,
              title: 'Split down (Alt+Shift+S)',
              icon: '⬒',
              run: () => splitPane(paneId, 'column'),
            },
            {
              label: `Close pane ${machine}`,
              title: 'Close pane and end its shell (Alt+Shift+W)',
              icon: '×',
              run: close,
            },
          ].map(({ label, title, icon, run }) => (
            <button key={label} type="button" className="icon-button" aria-label={label} title={title} onClick={run}>
              {icon}
            </button>
          ))}
        </span>
      </header>
      {finding && <FindBar paneId={paneId} onClose={onFindClosed} />}
      <TerminalPane
        source={source}
        resume={resume}
        settings={terminalSettings}
        label={`Terminal on ${machine}`}
        autoFocus={focused && visible}
        retryAt={() => runtime.connection.nextReconnectAt}
        routeInput={(data) => runtime.router.routeInput(paneId, data)}
        confirmPaste={(text) => runtime.router.confirmPaste(paneId, text)}
        onStatus={(status) => updatePane(paneId, { status: status.kind })}
        onTitle={(title) => updatePane(paneId, { title })}
        onSession={(session) => updatePane(paneId, { sessionId: session.sessionId })}
        onController={(controller) => {
          if (controller) runtime.controllers.set(paneId, controller);
          else runtime.controllers.delete(paneId);
        }}
      />
    </section>
  );
}
