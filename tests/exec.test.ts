import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Fleet, runCommand } from './harness/fleet';

interface ExecResult {
  machine: string;
  exitCode: number | null;
  signal: string | null;
  output: string;
  error?: { code: string; message: string };
}

/** `fleetterm exec` against three real agents at once. */
describe('fleetterm exec', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await Fleet.start([
      { name: 'db-1', labels: { role: 'db', env: 'test' } },
      { name: 'db-2', labels: { role: 'db', env: 'test' } },
      { name: 'web-1', labels: { role: 'web', env: 'test' } },
    ]);
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  async function exec(args: string[]) {
    return runCommand(BIN.cli, ['exec', ...args], fleet.clientEnv).then(
      (done) => ({ code: 0, stdout: done.stdout, stderr: done.stderr }),
      (failed: { code: number; stdout: string; stderr: string }) => failed,
    );
  }

  it('runs on every machine matching a label and returns each output and exit code', async () => {
    const done = await exec([
      '--label',
      'env=test',
      '--json',
      '--',
      'echo "I am $FLEETTERM_MACHINE"; exit ${FLEETTERM_MACHINE#*-}',
    ]);
    expect(done.code).toBe(1);
    const { results } = JSON.parse(done.stdout) as { results: ExecResult[] };
    const byMachine = Object.fromEntries(results.map((r) => [r.machine, r]));
    expect(Object.keys(byMachine).sort()).toEqual(['db-1', 'db-2', 'web-1']);
    expect(byMachine['db-1']).toMatchObject({ exitCode: 1 });
    expect(byMachine['db-2']).toMatchObject({ exitCode: 2 });
    expect(byMachine['web-1']).toMatchObject({ exitCode: 1 });
    for (const [name, result] of Object.entries(byMachine)) expect(result.output).toContain(`I am ${name}`);
  });

  it('prefixes each line with its machine and exits 0 when all succeed', async () => {
    const done = await exec(['--label', 'role=db', '--', 'printf "one\\ntwo\\n"']);
    expect(done.code).toBe(0);
    const lines = done.stdout.trim().split('\n').sort();
    expect(lines).toEqual(['db-1 | one', 'db-1 | two', 'db-2 | one', 'db-2 | two']);
  });

  it('takes machines by name and reports an unknown one', async () => {
    const done = await exec(['--machine', 'web-1', '--machine', 'nope', '--', 'true']);
    expect(done.code).not.toBe(0);
    expect(done.stderr).toMatch(/nope/);
  });
});
