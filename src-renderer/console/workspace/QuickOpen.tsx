import { useState } from 'react';
import { useConsoleStore } from '../store/useConsoleStore';
import type { Machine } from '../machinesApi';
import type { CommandId } from '../../../common/consoleCommands';
import { Modal } from './Modal';
import { paletteItems, type PaletteItem } from './paletteItems';

export interface QuickOpenProps {
  mac: boolean;
  onOpenMachine(machine: Machine, beside: boolean): void;
  onCommand(id: CommandId): void;
  onClose(): void;
}

/**
 * Ctrl/Cmd+K: type part of a machine's name or a label and press Enter to
 * open it in a new tab (Alt+Enter: beside the current pane), or pick a
 * command. Arrow keys move through the list.
 */
export function QuickOpen({ mac, onOpenMachine, onCommand, onClose }: QuickOpenProps) {
  const machines = useConsoleStore((state) => state.machines.list);
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState(0);
  const items = paletteItems(query, machines, mac);
  const current = Math.min(selected, items.length - 1);

  const choose = (item: PaletteItem | undefined, beside: boolean) => {
    if (!item) return;
    if (item.kind === 'machine' && !item.machine.online) return;
    onClose();
    if (item.kind === 'machine') onOpenMachine(item.machine, beside);
    else onCommand(item.id);
  };

  return (
    <Modal title="Quick open" onClose={onClose} className="quick-open">
      <input
        type="search"
        role="combobox"
        aria-expanded="true"
        aria-controls="quick-open-list"
        aria-activedescendant={items[current] ? `quick-open-${current}` : undefined}
        aria-label="Machine or command"
        placeholder="Machine name, label (env=prod) or command"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setSelected(0);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            const step = event.key === 'ArrowDown' ? 1 : -1;
            setSelected((current + step + items.length) % Math.max(items.length, 1));
          } else if (event.key === 'Enter') {
            event.preventDefault();
            choose(items[current], event.altKey);
          }
        }}
      />
      <ul id="quick-open-list" role="listbox" className="quick-open__list" aria-label="Matches">
        {items.length === 0 && <li className="card__hint">Nothing matches “{query}”.</li>}
        {items.map((item, index) => {
          const offline = item.kind === 'machine' && !item.machine.online;
          return (
            <li
              key={item.kind === 'machine' ? `m-${item.machine.id}` : `c-${item.id}`}
              id={`quick-open-${index}`}
              role="option"
              aria-selected={index === current}
              aria-disabled={offline}
              className={`quick-open__item${index === current ? ' is-selected' : ''}${offline ? ' is-offline' : ''}`}
              onMouseEnter={() => setSelected(index)}
              onClick={(event) => choose(item, event.altKey)}
            >
              <span className="quick-open__kind">{item.kind === 'machine' ? '>_' : '⌘'}</span>
              <span className="quick-open__name">{item.kind === 'machine' ? item.machine.name : item.title}</span>
              <span className="quick-open__detail">{item.detail}</span>
            </li>
          );
        })}
      </ul>
      <p className="card__hint">Enter opens in a new tab · Alt+Enter beside the current pane · Esc closes</p>
    </Modal>
  );
}
