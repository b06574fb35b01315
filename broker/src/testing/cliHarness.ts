import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import { runCli } from '../commands/program';

export interface CliHarness {
  /** A fresh data directory for each test (not created yet: the CLI creates it). */
  readonly dataDir: string;
  /** Runs `fleetterm-broker ARGS…` in-process and returns its exit code and what it wrote. */
  run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Registers the hooks that give each test its own data directory and captured stdout and stderr. */
export function useCliHarness(tempPrefix: string): CliHarness {
  let dataDir = '';
  let stdout = '';
  let stderr = '';
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), tempPrefix)), 'data');
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
  return {
    get dataDir() {
      return dataDir;
    },
    async run(...args: string[]) {
      stdout = '';
      stderr = '';
      const code = await runCli(['node', 'fleetterm-broker', ...args]);
      return { code, stdout, stderr };
    },
  };
}
