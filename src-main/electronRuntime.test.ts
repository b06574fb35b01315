// Tests that need the real Electron binary. Build machines install with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 (no download possible), so these detect
// the binary and are reported as skipped, with the reason, when it is absent.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

type Runtime = { found: true; path: string; version: string } | { found: false; reason: string };

/**
 * Finds the binary the way `require('electron')` does, without calling it:
 * since Electron 45 that require tries to download a missing binary
 * (node_modules/electron/index.js), which must not happen in a test.
 */
function findElectronRuntime(): Runtime {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the electron package is not installed' };
  }
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      found: false,
      reason: 'node_modules/electron/path.txt is missing: installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1',
    };
  }
  const executable = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env['ELECTRON_OVERRIDE_DIST_PATH'] ?? join(packageDir, 'dist');
  const path = join(distDir, executable);
  if (!existsSync(path)) return { found: false, reason: `the Electron binary ${path} does not exist` };
  return { found: true, path, version };
}

const runtime = findElectronRuntime();

describe('Electron runtime', () => {
  it.skipIf(!runtime.found)(
    runtime.found
      ? 'runs the installed Electron binary, which reports the version package.json pins'
      : `skipped: no Electron runtime on this machine (${runtime.reason})`,
    () => {
      if (!runtime.found) return;
      // ELECTRON_RUN_AS_NODE: no window and no display needed, only the binary's own Node.
      const reported = execFileSync(runtime.path, ['-p', 'process.versions.electron'], {
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        encoding: 'utf8',
        timeout: 20_000,
      }).trim();
      expect(reported).toBe(runtime.version);
    },
  );
});
