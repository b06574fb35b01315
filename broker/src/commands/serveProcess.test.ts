import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
    const child = spawn(process.execPath, [bundle, 'serve', '--data', dataDir, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const listening = await logRecord(child, 'listening');
    expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${String(listening.url)}/api/v1/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const created = cli('token', 'create', '--data', dataDir, '--role', 'operator', '--name', 'alice', '--json');
    expect(created.status).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const machines = await fetch(`${String(listening.url)}/api/v1/machines`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await machines.json()).toEqual({ machines: [] });

    const stopped = logRecord(child, 'stopped');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await stopped;
    expect(await exited).toBe(0);
  });

  it('refuses to listen beyond loopback without TLS: exit code 2, the reason on stderr, nothing on stdout', () => {
    const result = cli('serve', '--data', dataDir, '--listen', '0.0.0.0:0');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('until then run the broker on 127.0.0.1 behind a TLS-terminating proxy');
  });

  it('prints help for every command', () => {
    for (const args of [[], ['serve'], ['enroll-token', 'create'], ['token', 'create'], ['machines'], ['sessions']]) {
      const result = cli(...args, '--help');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage: fleetterm-broker');
    }
  });
});
