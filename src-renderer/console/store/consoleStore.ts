import { createStore, type StoreApi } from 'zustand/vanilla';
import { createBroadcastSlice, type BroadcastSlice } from './broadcastSlice';
import { createMachinesSlice, type MachinesDeps, type MachinesSlice } from './machinesSlice';
import { createSettingsSlice, type ConsoleSettings, type SettingsSlice } from './settingsSlice';
import { createWorkspaceSlice, type WorkspaceDeps, type WorkspaceSlice } from './workspaceSlice';

/**
 * The console's one store, built from typed slices (zustand's slices
 * pattern). It holds metadata only: machines, tabs, panes and their status,
 * broadcast arming, settings; never terminal output, which stays with each
 * terminal's controller. Vanilla, so code outside React (pollers, the
 * broadcast router) can use it; components read it through useConsoleStore.
 */
export type ConsoleState = MachinesSlice &
  WorkspaceSlice &
  BroadcastSlice &
  SettingsSlice & {
    /** Back to the state of a new store (on sign-out; tests make a new store instead). */
    reset(): void;
  };

export type ConsoleStore = StoreApi<ConsoleState>;

export type ConsoleStoreDeps = MachinesDeps &
  WorkspaceDeps & {
    settings?: ConsoleSettings;
  };

export function createConsoleStore(deps: ConsoleStoreDeps): ConsoleStore {
  return createStore<ConsoleState>()((...args) => {
    const [, get] = args;
    return {
      ...createMachinesSlice<ConsoleState>(deps)(...args),
      ...createWorkspaceSlice<ConsoleState>(deps)(...args),
      ...createBroadcastSlice<ConsoleState>()(...args),
      ...createSettingsSlice<ConsoleState>(deps.settings)(...args),
      reset: () => {
        get().disarmBroadcast();
        get().resetWorkspace();
        get().resetMachines();
      },
    };
  });
}
