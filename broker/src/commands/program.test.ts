import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spkiPin } from '../../../node-common/pki';
import { describe, expect, it } from 'vitest';
import { useCliHarness } from '../testing/cliHarness';

const cli = useCliHarness('fleetterm-cli-');

describe('token create --json', () => {
  it('prints exactly one JSON document with the token, and nothing else', async () => {
    const result = await cli.run(
      'token',
      'create',
      '--data',
      cli.dataDir,
      '--role',
      'operator',
      '--scope',
      'shell,read',
      '--name',
      'alice',
      '--json',
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(doc).toEqual({
      token: expect.stringMatching(/^ftk_/),
      id: expect.stringMatching(/^tok_/),
      name: 'alice',
      role: 'operator',
      scopes: ['shell', 'read'],
      userId: null,
      expiresAt: expect.any(String),
    });
  });

  it('always expires, needs an explicit scope, and refuses a bad role, scope or ttl on stderr', async () => {
    const create = (...args: string[]) => cli.run('token', 'create', '--data', cli.dataDir, ...args);
    expect((await create('--role', 'admin', '--scope', 'read', '--ttl', 'never')).stderr).toContain('--ttl');
    expect((await create('--role', 'admin', '--scope', 'read', '--ttl', '400d')).stderr).toContain('at most 365d');
    expect((await create('--role', 'admin')).stderr).toContain('--scope');
    expect((await create('--role', 'admin', '--scope', 'root')).stderr).toContain('shell, exec, read');
    const badRole = await cli.run('token', 'create', '--data', cli.dataDir, '--role', 'root', '--scope', 'read');
    expect(badRole.code).not.toBe(0);
    expect(badRole.stdout).toBe('');
    expect(badRole.stderr).toContain('admin, operator, auditor');
    const badTtl = await create('--role', 'admin', '--scope', 'read', '--ttl', 'soon');
    expect(badTtl).toMatchObject({ code: 1, stdout: '' });
    expect(badTtl.stderr).toContain('--ttl');
  });
});

describe('token list and revoke', () => {
  it('list tokens without secrets and revoke by name', async () => {
    const created = JSON.parse(
      (
        await cli.run(
          'token',
          'create',
          '--data',
          cli.dataDir,
          '--role',
          'auditor',
          '--scope',
          'read',
          '--name',
          'carol',
          '--json',
        )
      ).stdout,
    ) as { token: string; id: string };
    const listed = await cli.run('token', 'list', '--data', cli.dataDir, '--json');
    expect(listed.stdout).not.toContain(created.token);
    expect(JSON.parse(listed.stdout)).toMatchObject({ tokens: [{ id: created.id, name: 'carol', status: 'live' }] });
    expect(JSON.parse((await cli.run('token', 'revoke', 'carol', '--data', cli.dataDir, '--json')).stdout)).toEqual({
      revoked: 1,
    });
    const again = await cli.run('token', 'revoke', 'carol', '--data', cli.dataDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no live API token');
  });
});

describe('enroll-token create', () => {
  it('prints the token, its expiry and the agent command', async () => {
    const result = await cli.run(
      'enroll-token', 'create', '--data', cli.dataDir, '--name', 'web-1', '--label', 'env=prod', '--label', 'role=db',
      '--ttl', '10m', '--broker-url', 'http://127.0.0.1:9999', '--json',
    ); // prettier-ignore
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { token: string; agentCommand: string; expiresAt: string; caPin: string };
    expect(doc).toMatchObject({ name: 'web-1', labels: { env: 'prod', role: 'db' } });
    expect(doc.caPin).toBe(spkiPin(readFileSync(join(cli.dataDir, 'pki', 'root.crt'), 'utf8')));
    expect(Date.parse(doc.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(doc.agentCommand).toBe(
      `fleetterm-agent run --broker http://127.0.0.1:9999 --enroll-token ${doc.token} --ca-pin ${doc.caPin} ` +
        '--state ~/.local/share/fleetterm/agent',
    );
    const human = await cli.run('enroll-token', 'create', '--data', cli.dataDir, '--name', 'web-2');
    expect(human.stdout).toContain('fleetterm-agent run --broker https://127.0.0.1:7420 --enroll-token fte_');
    expect(human.stdout).toContain(
      `Broker CA pin (the agent refuses a broker whose CA does not match it):\n  ${doc.caPin}`,
    );
  });

  it('refuses bad names and labels', async () => {
    expect((await cli.run('enroll-token', 'create', '--data', cli.dataDir, '--name', 'no spaces')).stderr).toContain(
      '--name',
    );
    const label = await cli.run('enroll-token', 'create', '--data', cli.dataDir, '--name', 'ok', '--label', 'novalue');
    expect(label).toMatchObject({ code: 1, stdout: '' });
    expect(label.stderr).toContain('key=value');
  });
});

describe('machines and sessions', () => {
  it('print {machines: []} and {sessions: []} as JSON', async () => {
    await cli.run('token', 'create', '--data', cli.dataDir, '--role', 'admin', '--scope', 'read', '--json');
    expect(JSON.parse((await cli.run('machines', '--data', cli.dataDir, '--json')).stdout)).toEqual({ machines: [] });
    expect(JSON.parse((await cli.run('sessions', '--data', cli.dataDir, '--json')).stdout)).toEqual({ sessions: [] });
  });

  it('refuse a data directory without a database', async () => {
    const result = await cli.run('machines', '--data', join(cli.dataDir, 'missing'), '--json');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('fleetterm.db not found');
  });
});

describe('serve', () => {
  it('refuses plain HTTP on a non-loopback address with exit code 2', async () => {
    const result = await cli.run('serve', '--data', cli.dataDir, '--listen', '0.0.0.0:7420', '--dev-insecure-http');
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('--dev-insecure-http is for loopback only');
  });

  it('refuses a malformed --agent-listen and a plain --agent-url', async () => {
    const listen = await cli.run('serve', '--data', cli.dataDir, '--agent-listen', 'nope');
    expect(listen.stderr).toContain('--agent-listen "nope" must be HOST:PORT');
    const url = await cli.run('serve', '--data', cli.dataDir, '--agent-url', 'http://127.0.0.1:7421');
    expect(url.stderr).toContain('must be a wss:// or https:// URL');
  });
});

describe('token create names', () => {
  const create = async (...args: string[]) =>
    cli.run('token', 'create', '--data', cli.dataDir, '--role', 'operator', '--scope', 'shell', '--json', ...args);

  it('default to a unique <role>-<random> name, never a shared one like the local user name', async () => {
    const first = JSON.parse((await create()).stdout) as { name: string };
    const second = JSON.parse((await create()).stdout) as { name: string };
    expect(first.name).toMatch(/^operator-[a-z2-7]{6}$/);
    expect(second.name).toMatch(/^operator-[a-z2-7]{6}$/);
    expect(second.name).not.toBe(first.name);
  });

  it('are unique among live tokens: a duplicate is refused unless --reuse-name says it is on purpose', async () => {
    expect((await create('--name', 'alice')).code).toBe(0);
    const duplicate = await cli.run(
      'token', 'create', '--data', cli.dataDir, '--role', 'admin', '--scope', 'read', '--name', 'alice',
    ); // prettier-ignore
    expect(duplicate).toMatchObject({ code: 1, stdout: '' });
    expect(duplicate.stderr).toContain('already named "alice"');
    expect(duplicate.stderr).toContain('--reuse-name');

    const reused = await create('--name', 'alice', '--reuse-name');
    expect(reused.code).toBe(0);
    expect(JSON.parse(reused.stdout)).toMatchObject({ name: 'alice' });
  });

  it('of revoked tokens are free again', async () => {
    expect((await create('--name', 'bob')).code).toBe(0);
    expect((await cli.run('token', 'revoke', 'bob', '--data', cli.dataDir)).code).toBe(0);
    expect((await create('--name', 'bob')).code).toBe(0);
  });
});
