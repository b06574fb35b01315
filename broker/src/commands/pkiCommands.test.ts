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
    expect(doc).toEqual({
      caPin: spkiPin(root),
      fingerprint: new X509Certificate(root).fingerprint256,
      rootCert: join(cli.dataDir, 'pki', 'root.crt'),
      dnsNames: ['broker.example.org', 'localhost'],
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
