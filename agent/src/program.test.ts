import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { writeIdentity } from './identity';
import { FakeBroker } from './testing/fakeBroker';
import { runCli } from './program';

const dir = mkdtempSync(join(tmpdir(), 'fleetterm-agent-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in this process and returns its exit code and what it printed. */
async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await runCli(['node', 'fleetterm-agent', ...args]);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('fleetterm-agent CLI', () => {
  it('lists its commands in --help', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['run', 'enroll', 'status']) expect(stdout).toContain(command);
  });

  it('documents the run flags', async () => {
    const { code, stdout } = await cli('run', '--help');
    expect(code).toBe(0);
    for (const flag of ['--broker', '--enroll-token', '--state', '--config']) expect(stdout).toContain(flag);
  });

  it('refuses a config file with an unknown key before doing anything, naming file and key', async () => {
    const config = join(dir, 'bad.json');
    writeFileSync(config, '{"max_shell": 3}');
    const { code, stderr } = await cli('run', '--broker', 'http://127.0.0.1:1', '--state', dir, '--config', config);
    expect(code).toBe(1);
    expect(stderr).toContain(`${config}: unknown key "max_shell"`);
  });

  it('refuses an unknown option with a hint', async () => {
    const { code, stderr } = await cli('run', '--brokr', 'x');
    expect(code).not.toBe(0);
    expect(stderr).toContain("unknown option '--brokr'");
  });

  it('says whether the machine is enrolled, as text or JSON', async () => {
    const state = join(dir, 'status-state');
    expect((await cli('status', '--state', state)).stdout).toContain('not enrolled');
    const broker = await FakeBroker.start();
    const tls = await broker.identity();
    await broker.close();
    await writeIdentity(state, {
      machine: {
        machineId: 'm-1',
        name: 'web-1',
        labels: { env: 'prod' },
        broker: 'https://127.0.0.1:7420',
        agentUrl: 'wss://127.0.0.1:7421/ws/agent',
        caPin: 'sha256/x',
        enrolledAt: '2026-01-01T00:00:00.000Z',
      },
      keyPem: tls.key,
      certificatePem: tls.cert,
      caRoots: tls.ca,
    });
    const { code, stdout } = await cli('status', '--state', state, '--json');
    expect(code).toBe(0);
    const status = JSON.parse(stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ enrolled: true, name: 'web-1', labels: { env: 'prod' } });
    expect(Date.parse(String(status.certificateExpires))).toBeGreaterThan(Date.now());
    expect(stdout).not.toContain('PRIVATE KEY');
    expect((await cli('status', '--state', state)).stdout).toContain('certificate expires');
  });
});
