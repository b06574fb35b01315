import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/openSqliteStore';
import { useCliHarness } from '../testing/cliHarness';

const cli = useCliHarness('fleetterm-audit-cli-');

const createToken = async (name: string) =>
  JSON.parse(
    (
      await cli.run(
        'token',
        'create',
        '--data',
        cli.dataDir,
        '--role',
        'operator',
        '--scope',
        'shell',
        '--name',
        name,
        '--json',
      )
    ).stdout,
  ) as {
    id: string;
  };

describe('token commands', () => {
  it('append token.created and token.revoked to the chain, and sign a checkpoint', async () => {
    const { id } = await createToken('alice');
    expect((await cli.run('token', 'revoke', 'alice', '--data', cli.dataDir)).code).toBe(0);
    const exported = await cli.run('audit', 'export', '--data', cli.dataDir, '--format', 'jsonl');
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    const lines = exported.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toMatchObject([
      {
        seq: 1,
        type: 'token.created',
        actor: expect.stringMatching(/^cli/),
        target: 'alice',
        detail: { tokenId: id, role: 'operator' },
      },
      { seq: 2, type: 'token.revoked', target: 'alice', detail: { tokenIds: [id] } },
    ]);
    expect(await cli.run('audit', 'verify', '--data', cli.dataDir)).toEqual({
      code: 0,
      stdout: 'chain intact: 2 events, last checkpoint at seq 2\n',
      stderr: '',
    });
  });
});

describe('audit export', () => {
  it('prints one JSON line per entry, and only those after --since', async () => {
    for (const name of ['a', 'b', 'c']) await createToken(name);
    const all = await cli.run('audit', 'export', '--data', cli.dataDir, '--format', 'jsonl');
    expect(
      all.stdout
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { seq: number }).seq),
    ).toEqual([1, 2, 3]);
    const later = await cli.run('audit', 'export', '--data', cli.dataDir, '--format', 'jsonl', '--since', '2');
    expect(
      later.stdout
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { target: string }).target),
    ).toEqual(['c']);
    expect(await cli.run('audit', 'export', '--data', cli.dataDir, '--since', 'yesterday')).toMatchObject({
      code: 1,
      stdout: '',
    });
  });
});

describe('audit verify', () => {
  it('exits 1 naming the first bad entry and why', async () => {
    for (const name of ['a', 'b', 'c']) await createToken(name);
    const store = openSqliteStore(cli.dataDir);
    store.db.prepare(`UPDATE audit_events SET target = 'mallory' WHERE seq = 2`).run();
    store.close();
    const text = await cli.run('audit', 'verify', '--data', cli.dataDir);
    expect(text).toMatchObject({ code: 1, stdout: '' });
    expect(text.stderr).toContain('audit chain broken at entry 2 (edited)');
    const json = await cli.run('audit', 'verify', '--data', cli.dataDir, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, seq: 2, reason: 'edited' });
  });
});
