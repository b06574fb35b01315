import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './program';

let dataDir: string;
let stdout = '';
let stderr = '';

beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'fleetterm-cli-')), 'data');
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

/** Runs the CLI in-process and returns what it wrote. */
async function run(...args: string[]) {
  stdout = '';
  stderr = '';
  const code = await runCli(['node', 'fleetterm-broker', ...args]);
  return { code, stdout, stderr };
}

describe('token create --json', () => {
  it('prints exactly one JSON document with the token, and nothing else', async () => {
    const result = await run('token', 'create', '--data', dataDir, '--role', 'operator', '--name', 'alice', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(doc).toEqual({
      token: expect.stringMatching(/^ftk_/),
      id: expect.stringMatching(/^tok_/),
      name: 'alice',
      role: 'operator',
      expiresAt: expect.any(String),
    });
  });

  it('accepts --ttl never and refuses a bad role or ttl on stderr', async () => {
    const never = await run('token', 'create', '--data', dataDir, '--role', 'admin', '--ttl', 'never', '--json');
    expect(JSON.parse(never.stdout)).toMatchObject({ expiresAt: null });
    const badRole = await run('token', 'create', '--data', dataDir, '--role', 'root');
    expect(badRole.code).not.toBe(0);
    expect(badRole.stdout).toBe('');
    expect(badRole.stderr).toContain('admin, operator, auditor');
    const badTtl = await run('token', 'create', '--data', dataDir, '--role', 'admin', '--ttl', 'soon');
    expect(badTtl).toMatchObject({ code: 1, stdout: '' });
    expect(badTtl.stderr).toContain('--ttl');
  });
});

describe('token list and revoke', () => {
  it('list tokens without secrets and revoke by name', async () => {
    const created = JSON.parse(
      (await run('token', 'create', '--data', dataDir, '--role', 'auditor', '--name', 'carol', '--json')).stdout,
    ) as { token: string; id: string };
    const listed = await run('token', 'list', '--data', dataDir, '--json');
    expect(listed.stdout).not.toContain(created.token);
    expect(JSON.parse(listed.stdout)).toMatchObject({ tokens: [{ id: created.id, name: 'carol', status: 'live' }] });
    expect(JSON.parse((await run('token', 'revoke', 'carol', '--data', dataDir, '--json')).stdout)).toEqual({
      revoked: 1,
    });
    const again = await run('token', 'revoke', 'carol', '--data', dataDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no live API token');
  });
});

describe('enroll-token create', () => {
  it('prints the token, its expiry and the agent command', async () => {
    const result = await run(
      'enroll-token', 'create', '--data', dataDir, '--name', 'web-1', '--label', 'env=prod', '--label', 'role=db',
      '--ttl', '10m', '--broker-url', 'http://127.0.0.1:9999', '--json',
    ); // prettier-ignore
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { token: string; agentCommand: string; expiresAt: string };
    expect(doc).toMatchObject({ name: 'web-1', labels: { env: 'prod', role: 'db' } });
    expect(Date.parse(doc.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(doc.agentCommand).toBe(
      `fleetterm-agent run --broker http://127.0.0.1:9999 --enroll-token ${doc.token} --state ~/.local/share/fleetterm/agent`,
    );
    const human = await run('enroll-token', 'create', '--data', dataDir, '--name', 'web-2');
    expect(human.stdout).toContain('fleetterm-agent run --broker http://127.0.0.1:7420 --enroll-token fte_');
  });

  it('refuses bad names and labels', async () => {
    expect((await run('enroll-token', 'create', '--data', dataDir, '--name', 'no spaces')).stderr).toContain('--name');
    const label = await run('enroll-token', 'create', '--data', dataDir, '--name', 'ok', '--label', 'novalue');
    expect(label).toMatchObject({ code: 1, stdout: '' });
    expect(label.stderr).toContain('key=value');
  });
});

describe('machines and sessions', () => {
  it('print {machines: []} and {sessions: []} as JSON', async () => {
    await run('token', 'create', '--data', dataDir, '--role', 'admin', '--json');
    expect(JSON.parse((await run('machines', '--data', dataDir, '--json')).stdout)).toEqual({ machines: [] });
    expect(JSON.parse((await run('sessions', '--data', dataDir, '--json')).stdout)).toEqual({ sessions: [] });
  });

  it('refuse a data directory without a database', async () => {
    const result = await run('machines', '--data', join(dataDir, 'missing'), '--json');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('fleetterm.db not found');
  });
});

describe('serve', () => {
  it('refuses a non-loopback address without TLS with exit code 2', async () => {
    const result = await run('serve', '--data', dataDir, '--listen', '0.0.0.0:7420');
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('plain http:// and ws:// are allowed only on loopback; use https://');
  });
});

describe('token create names', () => {
  const create = async (...args: string[]) =>
    run('token', 'create', '--data', dataDir, '--role', 'operator', '--json', ...args);

  it('default to a unique <role>-<random> name, never a shared one like the local user name', async () => {
    const first = JSON.parse((await create()).stdout) as { name: string };
    const second = JSON.parse((await create()).stdout) as { name: string };
    expect(first.name).toMatch(/^operator-[a-z2-7]{6}$/);
    expect(second.name).toMatch(/^operator-[a-z2-7]{6}$/);
    expect(second.name).not.toBe(first.name);
  });

  it('are unique among live tokens: a duplicate is refused unless --reuse-name says it is on purpose', async () => {
    expect((await create('--name', 'alice')).code).toBe(0);
    const duplicate = await run('token', 'create', '--data', dataDir, '--role', 'admin', '--name', 'alice');
    expect(duplicate).toMatchObject({ code: 1, stdout: '' });
    expect(duplicate.stderr).toContain('already named "alice"');
    expect(duplicate.stderr).toContain('--reuse-name');

    const reused = await create('--name', 'alice', '--reuse-name');
    expect(reused.code).toBe(0);
    expect(JSON.parse(reused.stdout)).toMatchObject({ name: 'alice' });
  });

  it('of revoked tokens are free again', async () => {
    expect((await create('--name', 'bob')).code).toBe(0);
    expect((await run('token', 'revoke', 'bob', '--data', dataDir)).code).toBe(0);
    expect((await create('--name', 'bob')).code).toBe(0);
  });
});
