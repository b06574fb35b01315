import { describe, expect, it } from 'vitest';
import type { ApiResult } from '../../webConsole/brokerApi';
import type { Machine } from '../machinesApi';
import { FLEET } from '../testMachines';
import { createConsoleStore } from './consoleStore';

type Answer = ApiResult<{ machines: Machine[] }>;

/** A store whose broker answers whatever the test queues, and counts the questions. */
function storeWith(...answers: Array<Answer | Promise<Answer>>) {
  let asked = 0;
  let clock = 1_000;
  const store = createConsoleStore({
    fetchMachines: () => {
      asked += 1;
      const next = answers.shift();
      if (!next) throw new Error('no answer queued');
      return Promise.resolve(next);
    },
    now: () => (clock += 1_000),
  });
  return { store, asked: () => asked };
}

const listed = (machines: Machine[]): Answer => ({ ok: true, value: { machines } });
const failed = (code: string, message = 'it failed'): Answer => ({ ok: false, error: { code, message } });

describe('the machines slice', () => {
  it('starts empty and idle, loads, then holds the list with when it came', async () => {
    const { store } = storeWith(listed(FLEET));
    expect(store.getState().machines).toMatchObject({ list: [], status: 'idle', refreshing: false });
    const loading = store.getState().refreshMachines();
    expect(store.getState().machines).toMatchObject({ status: 'loading', refreshing: true });
    await loading;
    expect(store.getState().machines).toMatchObject({ status: 'ready', refreshing: false, updatedAt: 2_000 });
    expect(store.getState().machines.list.map((m) => m.name)).toEqual(['web-1', 'web-2', 'db-1']);
  });

  it('asks once for refreshes that overlap', async () => {
    let answer!: (value: Answer) => void;
    const { store, asked } = storeWith(new Promise<Answer>((resolve) => (answer = resolve)));
    const first = store.getState().refreshMachines();
    const second = store.getState().refreshMachines();
    answer(listed(FLEET));
    await Promise.all([first, second]);
    expect(asked()).toBe(1);
  });

  it('shows an error when nothing was ever loaded, and keeps a loaded list (stale) when a refresh fails', async () => {
    const { store } = storeWith(failed('UNREACHABLE'), listed(FLEET), failed('UNREACHABLE', 'down'));
    await store.getState().refreshMachines();
    expect(store.getState().machines).toMatchObject({ status: 'error', error: { code: 'UNREACHABLE' } });
    await store.getState().refreshMachines();
    expect(store.getState().machines).toMatchObject({ status: 'ready', error: undefined });
    await store.getState().refreshMachines();
    expect(store.getState().machines).toMatchObject({ status: 'ready', error: { message: 'down' }, updatedAt: 2_000 });
    expect(store.getState().machines.list).toHaveLength(3);
  });

  it('turns a thrown fetch into an error instead of an unhandled rejection', async () => {
    const store = createConsoleStore({ fetchMachines: () => Promise.reject(new Error('boom')) });
    await store.getState().refreshMachines();
    expect(store.getState().machines).toMatchObject({ status: 'error', error: { code: 'UNREACHABLE' } });
  });

  it('keeps the filter apart from the list and clears it', () => {
    const { store } = storeWith();
    store.getState().setMachineFilter({ query: 'web' });
    store.getState().setMachineFilter({ state: 'online' });
    expect(store.getState().machines.filter).toEqual({ query: 'web', label: '', os: '', state: 'online' });
    store.getState().clearMachineFilter();
    expect(store.getState().machines.filter).toEqual({ query: '', label: '', os: '', state: 'all' });
  });

  it('resets to a new store’s state and drops an answer that was on its way', async () => {
    let answer!: (value: Answer) => void;
    const { store } = storeWith(new Promise<Answer>((resolve) => (answer = resolve)));
    store.getState().setMachineFilter({ os: 'linux' });
    const pending = store.getState().refreshMachines();
    store.getState().reset();
    answer(listed(FLEET));
    await pending;
    expect(store.getState().machines).toMatchObject({ list: [], status: 'idle', filter: { os: '' } });
  });
});
