import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../commands/program';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';
import type { WsPeer } from '../testing/wsPeer';

let t: TestBroker;
let console: WsPeer;
let agent: WsPeer;

async function brokerCli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  const code = await runCli(['node', 'fleetterm-broker', ...args, '--data', t.dataDir]);
  vi.restoreAllMocks();
  return { code, out };
}

beforeEach(async () => {
  t = await TestBroker.start();
  agent = await t.agent((await t.enroll('web-1', { env: 'prod', os: 'linux' })).identity);
  console = await t.console(t.apiToken('operator', 'alice'));
});
afterEach(() => t.close());

describe('access policies on open', () => {
  it('let operators in while none is stored (the built-in default)', async () => {
    await openSession(console, agent, 'web-1', 1);
  });

  it('refuse a login user the policy does not list, with the reason, and audit it', async () => {
    expect(
      (await brokerCli('policy', 'add', 'ops-linux', '--subject', 'role:operator', '--selector', 'os=linux',
        '--login-user', 'deploy', '--login-user', 'ops')).code, // prettier-ignore
    ).toBe(0);
    console.send({ type: 'open', channel: 1, machine: 'web-1', loginUser: 'root', cols: 80, rows: 24 });
    expect(await console.next('error')).toEqual({
      type: 'error',
      code: 'POLICY_DENIED',
      channel: 1,
      message: 'policy ops-linux allows login users deploy, ops; you asked for root',
    });
    const denied = t.store.listAuditEvents(1, 100).find((event) => event.type === 'access.denied');
    expect(denied).toMatchObject({ actor: 'alice', target: 'web-1', detail: { code: 'POLICY_DENIED' } });
    expect(agent.pending()).toEqual([]);

    console.send({ type: 'open', channel: 2, machine: 'web-1', loginUser: 'deploy', cols: 80, rows: 24 });
    expect(await agent.next('open')).toMatchObject({ loginUser: 'deploy' });
  });

  it('refuse a machine whose labels no policy of the operator covers, naming the ones they have', async () => {
    await brokerCli(
      'policy',
      'add',
      'staging',
      '--subject',
      'user:alice',
      '--selector',
      'env=staging',
      '--login-user',
      '*',
    );
    console.send({ type: 'open', channel: 1, machine: 'web-1', cols: 80, rows: 24 });
    expect(await console.next('error')).toMatchObject({
      code: 'POLICY_DENIED',
      message:
        'no access policy of yours covers machine web-1 (env=prod,os=linux); yours: staging (machines with env=staging)',
    });
  });

  it('never stand in the way of admins', async () => {
    await brokerCli('policy', 'add', 'nobody', '--subject', 'user:bob', '--login-user', 'bob');
    const admin = await t.console(t.apiToken('admin', 'root-admin'));
    await openSession(admin, agent, 'web-1', 1);
  });
});

describe('policy commands', () => {
  it('list the built-in default until a policy is added, then list and remove them', async () => {
    expect((await brokerCli('policy', 'list')).out).toContain('built-in-default');
    await brokerCli('policy', 'add', 'ops', '--subject', 'role:operator', '--login-user', 'ops');
    const listed = JSON.parse((await brokerCli('policy', 'list', '--json')).out) as {
      policies: Array<{ name: string }>;
    };
    expect(listed.policies.map((policy) => policy.name)).toEqual(['ops']);
    expect((await brokerCli('policy', 'add', 'ops', '--subject', 'role:operator', '--login-user', 'x')).code).toBe(1);
    expect((await brokerCli('policy', 'remove', 'ops')).code).toBe(0);
    expect((await brokerCli('policy', 'remove', 'ops')).code).toBe(1);
    const types = t.store.listAuditEvents(1, 100).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['policy.added', 'policy.removed']));
  });

  it('refuse a bad subject or login user with guidance', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect((await brokerCli('policy', 'add', 'x', '--subject', 'group:ops', '--login-user', 'a')).code).toBe(1);
    expect((await brokerCli('policy', 'add', 'x', '--subject', 'role:operator')).code).toBe(1);
  });
});
