import { describe, expect, it } from 'vitest';
import type { ApiResult } from '../webConsole/brokerApi';
import { startMachinePolling, type Visibility } from './machinePolling';
import type { Machine } from './machinesApi';
import { createConsoleStore } from './store/consoleStore';
import { FLEET } from './testMachines';

/** Hand-driven timers and visibility: the test says when time passes and when the tab hides. */
function harness(answer: () => ApiResult<{ machines: Machine[] }> = () => ({ ok: true, value: { machines: FLEET } })) {
  let asked = 0;
  const store = createConsoleStore({
    fetchMachines: () => {
      asked += 1;
      return Promise.resolve(answer());
    },
  });
  const timers = new Map<number, { run: () => void; ms: number }>();
  let nextId = 0;
  let visible = true;
  const listeners = new Set<() => void>();
  const visibility: Visibility = {
    isVisible: () => visible,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const polling = startMachinePolling(store, {
    intervalMs: 5_000,
    visibility,
    setTimeout: (run, ms) => {
      timers.set(++nextId, { run, ms });
      return nextId;
    },
    clearTimeout: (id) => timers.delete(id as number),
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    store,
    polling,
    asked: () => asked,
    pending: () => [...timers.values()].map((timer) => timer.ms),
    /** Runs every due timer (the interval passed). */
    elapse: async () => {
      const due = [...timers.entries()];
      timers.clear();
      for (const [, timer] of due) timer.run();
      await settle();
    },
    setVisible: async (value: boolean) => {
      visible = value;
      for (const listener of listeners) listener();
      await settle();
    },
    settle,
    listeners,
  };
}

describe('machine polling', () => {
  it('asks at once, then every interval after each answer', async () => {
    const h = harness();
    await h.settle();
    expect(h.asked()).toBe(1);
    expect(h.pending()).toEqual([5_000]);
    await h.elapse();
    await h.elapse();
    expect(h.asked()).toBe(3);
    expect(h.pending()).toEqual([5_000]);
    h.polling.dispose();
  });

  it('pauses while the page is hidden and asks at once when it shows again', async () => {
    const h = harness();
    await h.settle();
    await h.setVisible(false);
    expect(h.pending()).toEqual([]);
    expect(h.asked()).toBe(1);
    await h.setVisible(true);
    expect(h.asked()).toBe(2);
    expect(h.pending()).toEqual([5_000]);
    h.polling.dispose();
  });

  it('stops when the broker refuses the sign-in: asking again cannot fix that', async () => {
    const h = harness(() => ({ ok: false, error: { code: 'UNAUTHORIZED', message: 'no' } }));
    await h.settle();
    expect(h.asked()).toBe(1);
    expect(h.pending()).toEqual([]);
    h.polling.dispose();
  });

  it('keeps polling through other failures', async () => {
    const h = harness(() => ({ ok: false, error: { code: 'UNREACHABLE', message: 'down' } }));
    await h.settle();
    expect(h.pending()).toEqual([5_000]);
    h.polling.dispose();
  });

  it('stops for good when disposed, twice being harmless', async () => {
    const h = harness();
    await h.settle();
    h.polling.dispose();
    h.polling.dispose();
    expect(h.pending()).toEqual([]);
    expect(h.listeners.size).toBe(0);
  });
});
