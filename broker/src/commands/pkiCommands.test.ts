import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spkiPin } from '../../../node-common/pki';
import { runCli } from './program';

let dataDir: string;
let stdout = '';
let stderr = '';

beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'fleetterm-pki-cli-')), 'data');
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

async function run(...args: string[]) {
  stdout = '';
  stderr = '';
  const code = await runCli(['node', 'fleetterm-broker', ...args]);
  return { code, stdout, stderr };
}

describe('init', () => {
  it('creates the CA and a server certificate, and prints the pin, fingerprint and root path as JSON', async () => {
    const result = await run('init', '--data', dataDir, '--dns-name', 'broker.example.org', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const doc = JSON.parse(result.stdout) as { caPin: string; fingerprint: string; rootCert: string };
    const root = readFileSync(join(dataDir, 'pki', 'root.crt'), 'utf8');
    expect(doc).toEqual({
      caPin: spkiPin(root),
      fingerprint: new X509Certificate(root).fingerprint256,
      rootCert: join(dataDir, 'pki', 'root.crt'),
      dnsNames: ['broker.example.org', 'localhost'],
    });
    expect(new X509Certificate(readFileSync(join(dataDir, 'pki', 'server.crt'))).checkHost('broker.example.org')).toBe(
      'broker.example.org',
    );
  });

  it('shows the same CA and keeps the names when run again, for people too', async () => {
    const first = JSON.parse((await run('init', '--data', dataDir, '--dns-name', 'a.example', '--json')).stdout);
    const again = await run('init', '--data', dataDir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`CA pin:           ${first.caPin}`);
    expect(again.stdout).toContain('a.example, localhost, 127.0.0.1, ::1');
    expect(again.stdout).not.toContain(', new)');
  });

  it('refuses a bad --dns-name on stderr', async () => {
    const result = await run('init', '--data', dataDir, '--dns-name', 'not a name');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('is not a DNS name');
  });
});

describe('ca show', () => {
  it('prints the CA that init made, and says to run init when there is none', async () => {
    const missing = await run('ca', 'show', '--data', dataDir);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('fleetterm-broker init --data');
    const made = JSON.parse((await run('init', '--data', dataDir, '--json')).stdout);
    expect(JSON.parse((await run('ca', 'show', '--data', dataDir, '--json')).stdout)).toEqual(made);
  });
});
