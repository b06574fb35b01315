import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spkiPin } from '../../../node-common/pki';
import { useCliHarness } from '../testing/cliHarness';

const cli = useCliHarness('fleetterm-pki-cli-');

describe('init', () => {
  it('creates the CA and a server certificate, and prints the pin, fingerprint and root path as JSON', async () => {
    const result = await cli.run('init', '--data', cli.dataDir, '--dns-name', 'broker.example.org', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(result.stdout) as { caPin: string; fingerprint: string; rootCert: string };
    const root = readFileSync(join(cli.dataDir, 'pki', 'root.crt'), 'utf8');
    expect(doc).toMatchObject({
      caPin: spkiPin(root),
      fingerprint: new X509Certificate(root).fingerprint256,
      rootCert: join(cli.dataDir, 'pki', 'root.crt'),
      dnsNames: ['broker.example.org', 'localhost'],
      rotating: false,
    });
    expect(
      new X509Certificate(readFileSync(join(cli.dataDir, 'pki', 'server.crt'))).checkHost('broker.example.org'),
    ).toBe('broker.example.org');
  });

  it('shows the same CA and keeps the names when run again, for people too', async () => {
    const first = JSON.parse(
      (await cli.run('init', '--data', cli.dataDir, '--dns-name', 'a.example', '--json')).stdout,
    );
    const again = await cli.run('init', '--data', cli.dataDir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`CA pin:           ${first.caPin}`);
    expect(again.stdout).toContain('a.example, localhost, 127.0.0.1, ::1');
    expect(again.stdout).not.toContain(', new)');
  });

  it('refuses a bad --dns-name on stderr', async () => {
    const result = await cli.run('init', '--data', cli.dataDir, '--dns-name', 'not a name');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('is not a DNS name');
  });
});

describe('ca show', () => {
  it('prints the CA that init made, and says to run init when there is none', async () => {
    const missing = await cli.run('ca', 'show', '--data', cli.dataDir);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('fleetterm-broker init --data');
    const made = JSON.parse((await cli.run('init', '--data', cli.dataDir, '--json')).stdout);
    expect(JSON.parse((await cli.run('ca', 'show', '--data', cli.dataDir, '--json')).stdout)).toEqual(made);
  });
});

describe('ca rotate and retire', () => {
  const show = async () =>
    JSON.parse((await cli.run('ca', 'show', '--data', cli.dataDir, '--json')).stdout) as {
      caPin: string;
      rotating: boolean;
      roots: Array<{ pin: string; role: string; machines: number }>;
    };

  it('rotate trusts both CAs and signs with the new one; retire drops the old one and reissues the server certificate', async () => {
    await cli.run('init', '--data', cli.dataDir, '--ip-address', '192.0.2.7');
    const before = await show();
    const serverBefore = readFileSync(join(cli.dataDir, 'pki', 'server.crt'), 'utf8');

    const rotated = await cli.run('ca', 'rotate', '--data', cli.dataDir);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(rotated.stdout).toContain('Rotation under way');
    const during = await show();
    expect(during.rotating).toBe(true);
    expect(during.caPin).not.toBe(before.caPin);
    expect(during.roots.map((root) => [root.pin, root.role])).toEqual([
      [during.caPin, 'current'],
      [before.caPin, 'previous'],
    ]);
    // The server certificate still chains to the previous root, which agents that have not renewed trust.
    expect(readFileSync(join(cli.dataDir, 'pki', 'server.crt'), 'utf8')).toBe(serverBefore);
    expect((await cli.run('ca', 'rotate', '--data', cli.dataDir)).stderr).toContain('already under way');

    const retired = await cli.run('ca', 'retire', '--data', cli.dataDir);
    expect(retired).toMatchObject({ code: 0, stderr: '' });
    const after = await show();
    expect(after).toMatchObject({ rotating: false, caPin: during.caPin });
    const server = new X509Certificate(readFileSync(join(cli.dataDir, 'pki', 'server.crt')));
    expect(server.checkIssued(new X509Certificate(readFileSync(join(cli.dataDir, 'pki', 'issuing.crt'))))).toBe(true);
    expect(server.checkIP('192.0.2.7')).toBe('192.0.2.7');
    expect((await cli.run('ca', 'retire', '--data', cli.dataDir)).stderr).toContain('no previous CA to retire');

    const events = (await cli.run('audit', 'export', '--data', cli.dataDir, '--format', 'jsonl')).stdout;
    expect(events).toContain('"type":"ca.rotated"');
    expect(events).toContain('"type":"ca.retired"');
  });
});
