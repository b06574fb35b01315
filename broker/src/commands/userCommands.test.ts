import { describe, expect, it } from 'vitest';
import { hashSecret } from '../auth/secrets';
import { openSqliteStore } from '../store/openSqliteStore';
import { useCliHarness } from '../testing/cliHarness';

const cli = useCliHarness('fleetterm-users-cli-');

describe('users', () => {
  it('invite prints a one-time link into the web console for the role, and it is audited', async () => {
    const result = await cli.run(
      'users', 'invite', '--data', cli.dataDir, '--role', 'operator', '--name', 'alice',
      '--console-url', 'https://broker.example.org:7420', '--json',
    ); // prettier-ignore
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(result.stdout) as { link: string; role: string; name: string };
    expect(doc).toMatchObject({ role: 'operator', name: 'alice' });
    expect(doc.link).toMatch(/^https:\/\/broker\.example\.org:7420\/register#fti_/);
    const store = openSqliteStore(cli.dataDir);
    const secret = doc.link.slice(doc.link.indexOf('#') + 1);
    expect(store.users.checkInvitation(hashSecret(secret), Date.now())).toMatchObject({
      ok: true,
      value: { role: 'operator', name: 'alice' },
    });
    expect(store.listAuditEvents(1, 10).map((event) => event.type)).toContain('user.invited');
    store.close();
  });

  it('list and disable, refusing unknown names', async () => {
    await cli.run('users', 'invite', '--data', cli.dataDir, '--role', 'admin');
    const store = openSqliteStore(cli.dataDir);
    store.db.prepare(`INSERT INTO users (id, name, role, created_at) VALUES ('u1', 'bob', 'operator', 1)`).run();
    store.close();
    expect((await cli.run('users', 'list', '--data', cli.dataDir)).stdout).toMatch(/bob\s+operator\s+0\s+enabled/);
    expect((await cli.run('users', 'disable', 'bob', '--data', cli.dataDir)).code).toBe(0);
    const again = await cli.run('users', 'disable', 'bob', '--data', cli.dataDir);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toContain('no enabled user is named "bob"');
  });

  it('refuse a bad name or role with guidance', async () => {
    expect(
      (await cli.run('users', 'invite', '--data', cli.dataDir, '--role', 'operator', '--name', 'a b')).stderr,
    ).toContain('--name "a b"');
    expect((await cli.run('users', 'invite', '--data', cli.dataDir, '--role', 'root')).code).not.toBe(0);
  });
});
