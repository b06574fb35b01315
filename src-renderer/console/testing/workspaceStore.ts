import { createConsoleStore, type ConsoleStore } from '../store/consoleStore';

/** A console store for the workspace's tests: counted ids, and a broker that lists no machines. */
export function workspaceStore(): ConsoleStore {
  let next = 0;
  return createConsoleStore({
    fetchMachines: () => Promise.resolve({ ok: true, value: { machines: [] } }),
    newId: () => String(++next),
  });
}
