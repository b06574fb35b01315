import { useContext, useEffect, useId, useState } from 'react';
import { formatWhen } from '../webConsole/formatWhen';
import { startMachinePolling } from './machinePolling';
import {
  filterMachines,
  isFiltered,
  labelOptions,
  labelText,
  osName,
  osOptions,
  type MachineStateFilter,
} from './machineFilters';
import type { Machine } from './machinesApi';
import { ConsoleStoreContext, useConsoleStore } from './store/useConsoleStore';

/** How several machines open: a tab each, side by side in one tab, or side by side with broadcast armed. */
export type OpenMachinesMode = 'tabs' | 'grid' | 'broadcast';

export interface MachinesScreenProps {
  /** Opens terminals: the row's Terminal action (one machine, 'tabs') and the selection's actions. */
  onOpen: (machines: string[], mode: OpenMachinesMode) => void;
  /** The row menu's "beside the last pane" actions. */
  onSplit: (machine: Machine, direction: 'row' | 'column') => void;
  /** Offered when the broker no longer accepts the sign-in. */
  onSignInAgain?: () => void;
  /** The page's clock, for "last seen" (tests fix it). */
  now?: number;
  /** Keep the list fresh while the page is visible (default true; static renders never run effects anyway). */
  poll?: boolean;
}

/**
 * The fleet at a glance: every machine with its labels, OS, state and open
 * sessions; search and filters; the Terminal action. The list comes from
 * the console store, which polls the broker while the page is visible.
 */
export function MachinesScreen({ onOpen, onSplit, onSignInAgain, now = Date.now(), poll = true }: MachinesScreenProps) {
  const store = useContext(ConsoleStoreContext);
  const machines = useConsoleStore((state) => state.machines);
  const refresh = useConsoleStore((state) => state.refreshMachines);
  const { list, status, error, updatedAt, refreshing, filter } = machines;

  useEffect(() => {
    if (!store || !poll) return;
    const polling = startMachinePolling(store);
    return () => polling.dispose();
  }, [store, poll]);

  const shown = filterMachines(list, filter);
  // Selected names; a machine that went offline or left the list is dropped from what the actions open.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const openable = list
    .filter((machine) => machine.online && selected.has(machine.name))
    .map((machine) => machine.name);
  const openSelected = (mode: OpenMachinesMode) => {
    onOpen(openable, mode);
    setSelected(new Set());
  };
  const online = list.filter((machine) => machine.online).length;
  const signinEnded = error?.code === 'UNAUTHORIZED';

  let body;
  if (status === 'idle' || status === 'loading') {
    body = (
      <p role="status" className="machines__empty">
        Loading machines…
      </p>
    );
  } else if (status === 'error' && error) {
    body = (
      <LoadError message={error.message} signinEnded={signinEnded} onRetry={refresh} onSignInAgain={onSignInAgain} />
    );
  } else if (list.length === 0) {
    body = <NoMachines />;
  } else if (shown.length === 0) {
    body = <NoMatches />;
  } else {
    body = (
      <MachineTable
        machines={shown}
        now={now}
        selected={selected}
        onSelect={setSelected}
        onOpen={onOpen}
        onSplit={onSplit}
      />
    );
  }

  return (
    <section className="card machines" aria-labelledby="machines-title">
      <div className="card__row card__row--spread">
        <h1 id="machines-title">Machines</h1>
        <div className="machines__freshness">
          {updatedAt !== undefined && (
            <span className="card__hint" data-testid="machines-summary">
              {countText(list.length, online)} · updated {formatWhen(updatedAt, now)}
            </span>
          )}
          <button
            type="button"
            className="button--quiet button--small"
            onClick={() => void refresh()}
            disabled={refreshing}
          >
            {refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      {status === 'ready' && error && (
        <p role="alert" className="card__error">
          {signinEnded
            ? 'Your sign-in has ended, so this list no longer updates. Sign in again to see changes.'
            : `Could not refresh the list (${error.message}); it shows what the broker said ${updatedAt ? formatWhen(updatedAt, now) : 'earlier'}.`}
        </p>
      )}
      {list.length > 0 && <Filters machines={list} />}
      {openable.length > 0 && (
        <div className="machines__selection" role="toolbar" aria-label="Selected machines">
          <span data-testid="selection-count">
            {openable.length === 1 ? '1 machine selected' : `${openable.length} machines selected`}
          </span>
          <button type="button" className="button--small" onClick={() => openSelected('tabs')}>
            Open in tabs
          </button>
          <button type="button" className="button--small" onClick={() => openSelected('grid')}>
            Open side by side
          </button>
          <button type="button" className="button--small" onClick={() => openSelected('broadcast')}>
            Open side by side and broadcast
          </button>
          <button type="button" className="button--quiet button--small" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      {body}
    </section>
  );
}

/** Marks a filter that narrows the list. */
function setClass(set: boolean): string | undefined {
  return set ? 'is-set' : undefined;
}

function countText(total: number, online: number): string {
  return `${total === 1 ? '1 machine' : `${total} machines`}, ${online} online`;
}

function Filters({ machines }: { machines: readonly Machine[] }) {
  const filter = useConsoleStore((state) => state.machines.filter);
  const setFilter = useConsoleStore((state) => state.setMachineFilter);
  const clear = useConsoleStore((state) => state.clearMachineFilter);
  const id = useId();
  const labels = labelOptions(machines);
  const systems = osOptions(machines);
  return (
    <div className="machines__filters" role="search" aria-label="Find machines">
      <label className="machines__search" htmlFor={`${id}-query`}>
        <span className="visually-hidden">Search machines</span>
        <input
          id={`${id}-query`}
          className={setClass(filter.query !== '')}
          type="search"
          placeholder="Search by name or label, e.g. web or env=prod"
          value={filter.query}
          onChange={(event) => setFilter({ query: event.target.value })}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && filter.query) {
              event.preventDefault();
              setFilter({ query: '' });
            }
          }}
        />
      </label>
      <select
        aria-label="Label"
        className={setClass(filter.label !== '')}
        value={filter.label}
        onChange={(event) => setFilter({ label: event.target.value })}
      >
        <option value="">All labels</option>
        {labels.map((label) => (
          <option key={label} value={label}>
            {label}
          </option>
        ))}
      </select>
      <select
        aria-label="Operating system"
        className={setClass(filter.os !== '')}
        value={filter.os}
        onChange={(event) => setFilter({ os: event.target.value })}
      >
        <option value="">All systems</option>
        {systems.map((os) => (
          <option key={os} value={os}>
            {osName(os)}
          </option>
        ))}
      </select>
      <select
        aria-label="State"
        className={setClass(filter.state !== 'all')}
        value={filter.state}
        onChange={(event) => setFilter({ state: event.target.value as MachineStateFilter })}
      >
        <option value="all">Online and offline</option>
        <option value="online">Online</option>
        <option value="offline">Offline</option>
      </select>
      {isFiltered(filter) && (
        <button type="button" className="button--quiet button--small" onClick={clear}>
          Clear filters
        </button>
      )}
    </div>
  );
}

function MachineTable({
  machines,
  now,
  selected,
  onSelect,
  onOpen,
  onSplit,
}: {
  machines: Machine[];
  now: number;
  selected: ReadonlySet<string>;
  onSelect: (next: ReadonlySet<string>) => void;
  onOpen: MachinesScreenProps['onOpen'];
  onSplit: MachinesScreenProps['onSplit'];
}) {
  const setFilter = useConsoleStore((state) => state.setMachineFilter);
  const online = machines.filter((machine) => machine.online);
  const allSelected = online.length > 0 && online.every((machine) => selected.has(machine.name));
  const toggle = (name: string) => {
    const next = new Set(selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    onSelect(next);
  };
  return (
    <div className="machines__scroll">
      <table className="machines__table">
        <thead>
          <tr>
            <th scope="col" className="machines__check">
              <input
                type="checkbox"
                aria-label="Select every online machine shown"
                checked={allSelected}
                disabled={online.length === 0}
                onChange={() => onSelect(allSelected ? new Set() : new Set(online.map((machine) => machine.name)))}
              />
            </th>
            <th scope="col">Machine</th>
            <th scope="col">Labels</th>
            <th scope="col">OS</th>
            <th scope="col">State</th>
            <th scope="col" className="machines__number">
              Sessions
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {machines.map((machine) => (
            <tr
              key={machine.id}
              className={machine.online ? undefined : 'machines__row--offline'}
              data-machine={machine.name}
            >
              <td className="machines__check">
                <input
                  type="checkbox"
                  aria-label={`Select ${machine.name}`}
                  title={machine.online ? undefined : `${machine.name} is offline`}
                  checked={machine.online && selected.has(machine.name)}
                  disabled={!machine.online}
                  onChange={() => toggle(machine.name)}
                />
              </td>
              <th scope="row">
                <span className="machines__name">{machine.name}</span>
                {machine.hostname && machine.hostname !== machine.name && (
                  <span className="machines__hostname">{machine.hostname}</span>
                )}
              </th>
              <td>
                <ul className="machines__labels" aria-label={`Labels of ${machine.name}`}>
                  {Object.entries(machine.labels).map(([key, value]) => (
                    <li key={key}>
                      <button
                        type="button"
                        className="label-chip"
                        title={`Show only machines labelled ${labelText(key, value)}`}
                        onClick={() => setFilter({ label: labelText(key, value) })}
                      >
                        {labelText(key, value)}
                      </button>
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                {osName(machine.os)} <span className="machines__hostname">{machine.arch}</span>
              </td>
              <td>
                <MachineState machine={machine} now={now} />
              </td>
              <td className="machines__number">{machine.sessions}</td>
              <td className="machines__actions">
                <button
                  type="button"
                  className="button--small machines__terminal"
                  disabled={!machine.online}
                  aria-label={`Terminal on ${machine.name}`}
                  title={machine.online ? `Open a terminal on ${machine.name}` : `${machine.name} is offline`}
                  onClick={() => onOpen([machine.name], 'tabs')}
                >
                  Terminal
                </button>
                <RowMenu machine={machine} onOpen={onOpen} onSplit={onSplit} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The row's actions menu: a terminal in a new tab, beside or below the last pane; copying the name. */
function RowMenu({ machine, onOpen, onSplit }: { machine: Machine } & Pick<MachinesScreenProps, 'onOpen' | 'onSplit'>) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const pick = (action: () => void) => {
    setOpen(false);
    action();
  };
  const items = [
    { label: 'Terminal in a new tab', disabled: !machine.online, run: () => onOpen([machine.name], 'tabs') },
    { label: 'Terminal beside the last pane', disabled: !machine.online, run: () => onSplit(machine, 'row') },
    { label: 'Terminal below the last pane', disabled: !machine.online, run: () => onSplit(machine, 'column') },
    { label: 'Copy name', disabled: false, run: () => void navigator.clipboard?.writeText(machine.name) },
  ];
  return (
    <span
      className="row-menu"
      onKeyDown={(event) => {
        if (event.key === 'Escape') setOpen(false);
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setOpen(false);
      }}
    >
      <button
        type="button"
        className="button--quiet button--small"
        aria-label={`More actions for ${machine.name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <ul id={id} role="menu" className="row-menu__list" aria-label={`Actions for ${machine.name}`}>
          {items.map(({ label, disabled, run }) => (
            <li role="none" key={label}>
              <button type="button" role="menuitem" disabled={disabled} onClick={() => pick(run)}>
                {label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

function MachineState({ machine, now }: { machine: Machine; now: number }) {
  if (machine.online) {
    return (
      <span className="machine-state machine-state--online" data-testid="machine-state">
        Online
      </span>
    );
  }
  const seen = machine.lastSeen ? Date.parse(machine.lastSeen) : NaN;
  return (
    <span className="machine-state machine-state--offline" data-testid="machine-state">
      Offline
      <span className="machines__hostname">
        {Number.isNaN(seen) ? 'never connected' : `last seen ${formatWhen(seen, now)}`}
      </span>
    </span>
  );
}

function LoadError({
  message,
  signinEnded,
  onRetry,
  onSignInAgain,
}: {
  message: string;
  signinEnded: boolean;
  onRetry: () => Promise<void>;
  onSignInAgain: (() => void) | undefined;
}) {
  if (signinEnded) {
    return (
      <div className="machines__empty" role="alert">
        <p>Your sign-in has ended (it expired or was signed out elsewhere), so the machines cannot be listed.</p>
        {onSignInAgain && (
          <button type="button" onClick={onSignInAgain}>
            Sign in again
          </button>
        )}
      </div>
    );
  }
  return (
    <div className="machines__empty" role="alert">
      <p>Could not load the machines: {message}.</p>
      <p className="card__hint">Check that the broker is running and reachable, then try again.</p>
      <button type="button" onClick={() => void onRetry()}>
        Try again
      </button>
    </div>
  );
}

function NoMachines() {
  return (
    <div className="machines__empty">
      <p>No machines yet.</p>
      <p className="card__hint">
        Make an enrolment token on the broker host with{' '}
        <code>fleetterm-broker enroll-token create --data DIR --name NAME --label env=dev</code>, then start the agent
        on the machine with the command it prints (<code>fleetterm-agent run --broker … --enroll-token …</code>). It
        appears here within seconds.
      </p>
    </div>
  );
}

function NoMatches() {
  const clear = useConsoleStore((state) => state.clearMachineFilter);
  return (
    <div className="machines__empty" role="status">
      <p>No machine matches these filters.</p>
      <button type="button" className="button--quiet" onClick={clear}>
        Clear filters
      </button>
    </div>
  );
}
