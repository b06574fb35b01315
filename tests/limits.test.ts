import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Fleet, runCommand } from './harness/fleet';
import { Interactive } from './harness/interactive';

/** The agent's limits, seen from the operator's side, with their reasons. */
describe('agent limits', () => {
  let fleet: Fleet;
  const open: Interactive[] = [];

  beforeAll(async () => {
    fleet = await Fleet.start([
      { name: 'small', config: { max_shells: 2 } },
      { name: 'sleepy', config: { idle_timeout: '1s' } },
      { name: 'locked', config: { remote_shell: false } },
    ]);
  });

  afterAll(async () => {
    open.forEach((session) => session.kill());
    await fleet?.stop();
  });

  function shell(machine: string): Interactive {
    const session = Interactive.start(BIN.cli, ['shell', machine], fleet.clientEnv);
    open.push(session);
    return session;
  }

  it('refuses the shell past max_shells with its reason', async () => {
    const first = shell('small');
    const second = shell('small');
    for (const session of [first, second]) {
      session.type('echo up-$((1+1))\r');
      await session.waitFor(/up-2/);
    }
    const third = shell('small');
    await third.waitFor(/LIMIT_TOTAL_SHELLS/);
    expect(third.text).toMatch(/max_shells/);
    expect((await third.exited).exitCode).toBe(1);
  });

  it('closes an idle session after idle_timeout, saying why', async () => {
    const session = shell('sleepy');
    await session.waitFor(/IDLE_TIMEOUT|idle/i, 15_000);
    await session.exited;
  });

  it('refuses every shell when remote_shell is false', async () => {
    const session = shell('locked');
    await session.waitFor(/REMOTE_SHELL_DISABLED/);
    expect((await session.exited).exitCode).toBe(1);
  });

  it('refuses exec the same way', async () => {
    const failed = await runCommand(
      BIN.cli,
      ['exec', '--machine', 'locked', '--json', '--', 'true'],
      fleet.clientEnv,
    ).catch((e: { stdout: string }) => e);
    expect(failed.stdout).toContain('REMOTE_SHELL_DISABLED');
  });
});
