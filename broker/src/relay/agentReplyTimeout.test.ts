import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';
import { openSqliteStore } from '../store/openSqliteStore';
import type { Store } from '../store/store';

let t: TestBroker;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await t.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('an open or attach the agent never answers', () => {
  it('open: refused with AGENT_TIMEOUT on its channel after the timeout, with no session row left', async () => {
    t = await TestBroker.start({ agentReplyTimeoutMs: 200 });
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    console.send({ type: 'open', channel: 3, machine: 'web-1', cols: 80, rows: 24 });
    const open = await agent.next<{ type: 'open'; channel: number; sessionId: string }>('open');
    expect(t.store.findSession(open.sessionId)).toBeDefined();

    const error = await console.next<{ type: 'error'; message: string }>('error');
    expect(error).toMatchObject({ code: 'AGENT_TIMEOUT', channel: 3 });
    expect(error.message).toContain('did not answer the open within 200ms');
    // Should the agent get to it after all, it closes the shell at once.
    expect(await agent.next('close')).toEqual({ type: 'close', channel: open.channel });
    expect(t.store.findSession(open.sessionId)).toBeUndefined();

    // A late answer is dropped quietly, and the console channel is free again.
    agent.send({ type: 'opened', channel: open.channel, sessionId: open.sessionId, loginUser: 'alice', offset: 0 });
    await openSession(console, agent, 'web-1', 3);
    expect(agent.pending()).toEqual([]);
  });

  it('attach: refused the same way; the agent is told to detach and the session is kept', async () => {
    t = await TestBroker.start({ agentReplyTimeoutMs: 200 });
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    const { sessionId } = await openSession(console, agent, 'web-1', 1);
    console.send({ type: 'detach', channel: 1 });
    await agent.next('detach');

    console.send({ type: 'attach', channel: 1, sessionId, offset: 0 });
    const attach = await agent.next<{ type: 'attach'; channel: number }>('attach');
    const error = await console.next<{ type: 'error'; message: string }>('error');
    expect(error).toMatchObject({ code: 'AGENT_TIMEOUT', channel: 1 });
    expect(error.message).toContain('did not answer the attach');
    expect(await agent.next('detach')).toEqual({ type: 'detach', channel: attach.channel });
    expect(t.store.findSession(sessionId)?.endedAt).toBeNull();
  });

  it('answered in time: nothing is refused later', async () => {
    t = await TestBroker.start({ agentReplyTimeoutMs: 100 });
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    await openSession(console, agent, 'web-1', 1);
    // Outlive the deadline, then prove the link is quiet by a round trip that must come back first.
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.send({ type: 'resize', channel: 1, cols: 100, rows: 30 });
    await agent.next('resize');
    expect(console.pending()).toEqual([]);
    expect(agent.pending()).toEqual([]);
  });
});

/** A real SQLite store whose chosen methods can be made to throw, as a full disk or a locked file would. */
function flakyStore(): { store: Store; fail: Set<keyof Store> } {
  const dir = mkdtempSync(join(tmpdir(), 'fleetterm-flaky-'));
  const real = openSqliteStore(dir);
  cleanups.push(() => {
    real.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const fail = new Set<keyof Store>();
  const store = new Proxy(real, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (fail.has(key as keyof Store)) throw new Error(`SQLITE_FULL: database or disk is full (${String(key)})`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, fail };
}

describe('a store failure while handling open or attach', () => {
  it('refuses the request with INTERNAL on its channel', async () => {
    const { store, fail } = flakyStore();
    t = await TestBroker.start({ store });
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    const { sessionId } = await openSession(console, agent, 'web-1', 1);

    fail.add('insertSession');
    console.send({ type: 'open', channel: 2, machine: 'web-1', cols: 80, rows: 24 });
    const error = await console.next<{ type: 'error'; message: string }>('error');
    expect(error).toMatchObject({ code: 'INTERNAL', channel: 2 });
    expect(error.message).toContain('record the new session');

    fail.add('findSession');
    console.send({ type: 'attach', channel: 3, sessionId, offset: 0 });
    expect(await console.next('error')).toMatchObject({ code: 'INTERNAL', channel: 3 });
    expect(agent.pending()).toEqual([]);

    // Once the store recovers, the same channels work.
    fail.clear();
    await openSession(console, agent, 'web-1', 2);
  });
});
