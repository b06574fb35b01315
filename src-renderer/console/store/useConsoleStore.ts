import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ConsoleState, ConsoleStore } from './consoleStore';

/** The console store of the signed-in page; a provider sets it (ConsoleStoreContext.Provider). */
export const ConsoleStoreContext = createContext<ConsoleStore | undefined>(undefined);

/** Selects from the console store; components always select (with useShallow for derived collections). */
export function useConsoleStore<T>(selector: (state: ConsoleState) => T): T {
  const store = useContext(ConsoleStoreContext);
  if (!store) throw new Error('useConsoleStore needs a ConsoleStoreContext.Provider above it');
  return useStore(store, selector);
}
