import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../commands/program';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

describe('an API token that stops being live while its console link is open', () => {
  it('when it expires: the next open is refused with UNAUTHORIZED and the link closed with 4004', async () => {
    let clock = Date.now();
    // No periodic check in this test: the open itself must notice (the sweep is tested below).
    t = await TestBroker.start({ now: () => clock, tokenRecheckIntervalMs: 3_600_000 });
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice', 60_000));
    await openSession(console, agent, 'web-1', 1);

    clock += 61_000;
    console.send({ type: 'open', channel: 2, machine: 'web-1', cols: 80, rows: 24 });
    expect(await console.next('error')).toMatchObject({ code: 'UNAUTHORIZED', channel: 2 });
    expect(await console.closed).toMatchObject({ code: 4004 });
    // The session it had open is detached, not ended: a new token may resume it.
    expect(await agent.next('detach')).toMatchObject({ type: 'detach' });
  });

  it('when `token revoke` revokes it: the link closes with 4004 within a second; its sessions stay for resume', async () => {
    t = await TestBroker.start();
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    await openSession(console, agent, 'web-1', 1);
    console.send({ type: 'detach', channel: 1 });
    await agent.next('detach');

    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const started = Date.now();
    expect(await runCli(['node', 'fleetterm-broker', 'token', 'revoke', 'alice', '--data', t.dataDir])).toBe(0);
    expect(await console.closed).toMatchObject({ code: 4004 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(agent.pending()).toEqual([]);
  });

  it('when it is revoked while the link only types: the link is closed with 4004 within a sweep', async () => {
    t = await TestBroker.start({ tokenRecheckIntervalMs: 50 });
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    await openSession(console, agent, 'web-1', 1);

    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await runCli(['node', 'fleetterm-broker', 'token', 'revoke', 'alice', '--data', t.dataDir])).toBe(0);
    expect(await console.closed).toMatchObject({ code: 4004 });
    expect(await agent.next('detach')).toMatchObject({ type: 'detach' });
  });
});
