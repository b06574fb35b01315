import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

/**
 * The real command in a real process: bundled like scripts/build-node.mjs
 * does (into node_modules/.cache, so its externals resolve), then run.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = join(root, 'node_modules', '.cache', 'fleetterm-broker-test', 'main.js');
let dataDir: string;

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'fleetterm-serve-')), 'data');
  await build({
    entryPoints: [join(root, 'broker/src/main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['better-sqlite3', 'ws', 'bufferutil'],
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    logLevel: 'warning',
  });
});
afterAll(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

/** GET over HTTPS trusting only `ca` (fetch cannot take a CA). */
function getJson(url: string, ca: string, token?: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
  });
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8' });
}

/** Resolves with the first JSON log record whose msg is `msg`. */
function logRecord(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (record.msg === msg) resolve(record);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before logging "${msg}"`)));
  });
}

describe('fleetterm-broker serve', () => {
  it('logs where it listens, serves while the CLI works on the same database, and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [bundle, 'serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--agent-listen', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const listening = await logRecord(child, 'listening');
    expect(listening.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(listening.agentUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws\/agent$/);
    const ca = readFileSync(join(dataDir, 'pki', 'root.crt'), 'utf8');
    expect(await getJson(`${String(listening.url)}/api/v1/health`, ca)).toMatchObject({ status: 'ok' });

    const created = cli(
      'token',
      'create',
      '--data',
      dataDir,
      '--role',
      'operator',
      '--scope',
      'read',
      '--name',
      'alice',
      '--json',
    );
    expect(created.status).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(await getJson(`${String(listening.url)}/api/v1/machines`, ca, token)).toEqual({ machines: [] });

    const stopped = logRecord(child, 'stopped');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await stopped;
    expect(await exited).toBe(0);
  });

  it('refuses plain HTTP beyond loopback: exit code 2, the reason on stderr, nothing on stdout', () => {
    const result = cli('serve', '--data', dataDir, '--listen', '0.0.0.0:0', '--dev-insecure-http');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--dev-insecure-http is for loopback only; drop it to serve HTTPS');
  });

  it('logs plain HTTP on loopback as development mode, loudly', async () => {
    const child = spawn(
      process.execPath,
      [bundle, 'serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--agent-listen', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FLEETTERM_DEV_INSECURE_HTTP: '1' } },
    );
    onTestFinished(() => void child.kill('SIGKILL'));
    const warning = await logRecord(
      child,
      'DEVELOPMENT MODE: the console listener serves plain HTTP on loopback; never use this on a shared machine',
    );
    expect(warning).toMatchObject({ level: 40, flag: '--dev-insecure-http' });
    expect(String(warning.url)).toMatch(/^http:\/\//);
  });

  it('prints help for every command', () => {
    for (const args of [[], ['serve'], ['enroll-token', 'create'], ['token', 'create'], ['machines'], ['sessions']]) {
      const result = cli(...args, '--help');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage: fleetterm-broker');
    }
  });
});
