import { createStore, type StoreApi } from 'zustand/vanilla';
import { createMachinesSlice, type MachinesDeps, type MachinesSlice } from './machinesSlice';

/**
 * The console's one store, built from typed slices (zustand's slices
 * pattern). It holds metadata only: machines, and later tabs, panes and
 * their status; never terminal output, which stays with each terminal's
 * controller. Vanilla, so code outside React (pollers, controllers) can use
 * it; components read it through useConsoleStore.
 */
export type ConsoleState = MachinesSlice & {
  /** Back to the state of a new store (on sign-out; tests make a new store instead). */
  reset(): void;
};

export type ConsoleStore = StoreApi<ConsoleState>;

export type ConsoleStoreDeps = MachinesDeps;

export function createConsoleStore(deps: ConsoleStoreDeps): ConsoleStore {
  return createStore<ConsoleState>()((...args) => {
    const [, get] = args;
    return {
      ...createMachinesSlice<ConsoleState>(deps)(...args),
      reset: () => get().resetMachines(),
    };
  });
}
