import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'common/**/*.test.ts',
      'node-common/**/*.test.ts',
      'broker/src/**/*.test.ts',
      'agent/src/**/*.test.ts',
      'cli/src/**/*.test.ts',
      'src-main/**/*.test.ts',
      'src-preload/**/*.test.ts',
      'src-renderer/**/*.test.{ts,tsx}',
      'tests/**/*.test.ts',
    ],
    // Real PTYs and sockets: separate processes isolate native handles.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: a few files at once keeps timing-sensitive tests honest.
    maxWorkers: 3,
  },
});
