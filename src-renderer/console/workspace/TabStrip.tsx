import { useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { broadcastReceivers } from '../store/broadcastSlice';
import { tabTitle } from '../store/workspaceSlice';
import { useConsoleStore } from '../store/useConsoleStore';
import { panesOf } from './paneLayout';
import { tabColor } from './tabColor';
import { useWorkspaceRuntime } from './workspaceRuntime';

export interface TabStripProps {
  /** The tab whose name is being edited (double-click, or the rename command). */
  renaming: string | undefined;
  onRenaming(tabId: string | undefined): void;
  onNewTab(): void;
}

const STATUS_WORDS: Record<string, string> = {
  connecting: 'connecting',
  connected: '',
  reconnecting: 'reconnecting',
  disconnected: 'disconnected',
  exited: 'exited',
};

/**
 * The tab row: the machine list first, then one tab per terminal tab with
 * its colour (label rules), a broadcast mark, a state word when not
 * connected, and a close button. Tabs are reordered by dragging (or
 * Alt+Shift+PgUp/PgDn) and renamed by double-clicking (or Alt+Shift+R).
 */
export function TabStrip({ renaming, onRenaming, onNewTab }: TabStripProps) {
  const runtime = useWorkspaceRuntime();
  const tabs = useConsoleStore((state) => state.workspace.tabs);
  const panes = useConsoleStore((state) => state.workspace.panes);
  const activeTabId = useConsoleStore((state) => state.workspace.activeTabId);
  const rules = useConsoleStore((state) => state.settings.tabColorRules);
  // Tab colours follow the machines' labels: draw again when the list changes.
  useConsoleStore((state) => state.machines.list);
  const receivers = useConsoleStore(useShallow((state) => broadcastReceivers(state, runtime.labelsOf)));
  const showTab = useConsoleStore((state) => state.showTab);
  const moveTab = useConsoleStore((state) => state.moveTab);
  const renameTab = useConsoleStore((state) => state.renameTab);
  const [dragging, setDragging] = useState<string | undefined>(undefined);

  const drop = (event: DragEvent, index: number) => {
    event.preventDefault();
    if (dragging) moveTab(dragging, index);
    setDragging(undefined);
  };

  return (
    <div className="tab-strip">
      <div className="tab-strip__tabs" role="tablist" aria-label="Open terminals">
        <button
          type="button"
          role="tab"
          id="tab-machines"
          aria-selected={activeTabId === undefined}
          className={`tab tab--machines${activeTabId === undefined ? ' is-active' : ''}`}
          onClick={() => showTab(undefined)}
        >
          Machines
        </button>
        {tabs.map((tab, index) => {
          const paneIds = panesOf(tab.layout);
          const title = tabTitle(tab, panes);
          const color = tabColor(
            paneIds.map((paneId) => runtime.labelsOf(panes[paneId]?.machine ?? '')),
            rules,
          );
          const broadcasting = paneIds.some((paneId) => receivers.includes(paneId));
          const troubled = paneIds
            .map((paneId) => STATUS_WORDS[panes[paneId]?.status ?? ''] ?? '')
            .find((w) => w !== '');
          const active = tab.id === activeTabId;
          return (
            <div
              key={tab.id}
              className={`tab${active ? ' is-active' : ''}${color ? ' tab--coloured' : ''}${dragging === tab.id ? ' is-dragging' : ''}`}
              style={color ? { borderTopColor: color } : undefined}
              draggable={renaming !== tab.id}
              onDragStart={(event) => {
                setDragging(tab.id);
                event.dataTransfer.effectAllowed = 'move';
                event.dataTransfer.setData('text/plain', title);
              }}
              onDragOver={(event) => {
                if (dragging) event.preventDefault();
              }}
              onDrop={(event) => drop(event, index)}
              onDragEnd={() => setDragging(undefined)}
              data-tab-title={title}
            >
              {renaming === tab.id ? (
                <input
                  className="tab__rename"
                  aria-label="Tab name"
                  defaultValue={tab.customTitle ?? title}
                  autoFocus
                  onFocus={(event) => event.target.select()}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter') {
                      renameTab(tab.id, event.currentTarget.value);
                      onRenaming(undefined);
                    } else if (event.key === 'Escape') onRenaming(undefined);
                  }}
                  onBlur={(event) => {
                    renameTab(tab.id, event.target.value);
                    onRenaming(undefined);
                  }}
                />
              ) : (
                <button
                  type="button"
                  role="tab"
                  id={`tab-${tab.id}`}
                  aria-selected={active}
                  aria-controls={`tabpanel-${tab.id}`}
                  className="tab__label"
                  title={`${title} — double-click to rename, drag to move`}
                  onClick={() => showTab(tab.id)}
                  onDoubleClick={() => onRenaming(tab.id)}
                >
                  {color && <span className="tab__swatch" style={{ background: color }} aria-hidden="true" />}
                  {broadcasting && (
                    <span className="tab__broadcast" title="Receives broadcast input" aria-label="broadcasting">
                      ⇶
                    </span>
                  )}
                  <span className="tab__title">{title}</span>
                  {troubled && <span className="tab__state">{troubled}</span>}
                </button>
              )}
              <button
                type="button"
                className="tab__close icon-button"
                aria-label={`Close tab ${title}`}
                title="Close tab and end its shells (Alt+Shift+Q)"
                onClick={() => runtime.closeTab(tab.id)}
              >
                ×
              </button>
            </div>
          );
        })}
      </div>
      <button
        type="button"
        className="tab-strip__new icon-button"
        aria-label="New tab"
        title="New tab (Alt+Shift+T)"
        onClick={onNewTab}
      >
        +
      </button>
    </div>
  );
}
