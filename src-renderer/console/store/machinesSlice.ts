import type { StateCreator } from 'zustand/vanilla';
import type { ApiResult, BrokerError } from '../../webConsole/brokerApi';
import type { Machine } from '../machinesApi';
import { NO_FILTER, type MachineFilter } from '../machineFilters';

/** 'loading' only until the first answer: later refreshes keep the list on screen. */
export type MachinesStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface MachinesState {
  list: readonly Machine[];
  status: MachinesStatus;
  /** The last refresh's failure; a list fetched before it stays shown (and is then stale). */
  error: BrokerError | undefined;
  /** When the list last came from the broker (the page's clock, ms). */
  updatedAt: number | undefined;
  /** A refresh is under way. */
  refreshing: boolean;
  filter: MachineFilter;
}

export interface MachinesSlice {
  machines: MachinesState;
  /** Fetches the list; a call while one is under way joins it instead of asking again. */
  refreshMachines(): Promise<void>;
  setMachineFilter(change: Partial<MachineFilter>): void;
  clearMachineFilter(): void;
  /** Back to nothing loaded; an answer still on its way is dropped. */
  resetMachines(): void;
}

export interface MachinesDeps {
  fetchMachines: () => Promise<ApiResult<{ machines: Machine[] }>>;
  now?: () => number;
  /** What the store starts with (tests render screens with it: a server render sees only the initial state). */
  initialMachines?: Partial<MachinesState>;
}

export const initialMachinesState: MachinesState = {
  list: [],
  status: 'idle',
  error: undefined,
  updatedAt: undefined,
  refreshing: false,
  filter: NO_FILTER,
};

/** The machine list and its filter: metadata only, as every slice of the console store. */
export function createMachinesSlice<S extends MachinesSlice>(
  deps: MachinesDeps,
): StateCreator<S, [], [], MachinesSlice> {
  const now = deps.now ?? Date.now;
  let inFlight: Promise<void> | undefined;
  // Bumped by resetMachines, so an answer to a request made before it is dropped.
  let generation = 0;
  return (set, get) => {
    const update = (change: Partial<MachinesState>) =>
      set((state) => ({ machines: { ...state.machines, ...change } }) as Partial<S>);

    const load = async () => {
      const asked = generation;
      // Nothing to show yet (first load, or a retry after it failed): say it is loading.
      update({ refreshing: true, ...(get().machines.updatedAt === undefined ? { status: 'loading' } : {}) });
      let answer: ApiResult<{ machines: Machine[] }>;
      try {
        answer = await deps.fetchMachines();
      } catch (error) {
        answer = { ok: false, error: { code: 'UNREACHABLE', message: String(error) } };
      }
      if (asked !== generation) return;
      if (answer.ok) {
        update({ list: answer.value.machines, status: 'ready', error: undefined, updatedAt: now(), refreshing: false });
      } else {
        // A list already shown stays (marked stale by the error); none yet means an error screen.
        const shown = get().machines.updatedAt !== undefined;
        update({ status: shown ? 'ready' : 'error', error: answer.error, refreshing: false });
      }
    };

    return {
      machines: { ...initialMachinesState, ...deps.initialMachines },
      refreshMachines: () => {
        inFlight ??= load().finally(() => (inFlight = undefined));
        return inFlight;
      },
      setMachineFilter: (change) => update({ filter: { ...get().machines.filter, ...change } }),
      clearMachineFilter: () => update({ filter: NO_FILTER }),
      resetMachines: () => {
        generation += 1;
        inFlight = undefined;
        update(initialMachinesState);
      },
    };
  };
}
