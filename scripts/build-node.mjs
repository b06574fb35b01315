// Bundles the Node parts (broker, agent, headless client) with esbuild.
// Each bundle inlines `common/` and the pure-JS libraries it uses; native
// modules and `ws` (which loads the optional native `bufferutil`) stay
// external, so they are installed as the package's own dependencies.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const parts = [
  { dir: 'broker', external: ['better-sqlite3', 'ws', 'bufferutil'] },
  { dir: 'agent', external: ['node-pty', 'ws', 'bufferutil'] },
  { dir: 'cli', external: ['ws', 'bufferutil'] },
];

const started = performance.now();
await Promise.all(
  parts
    .filter((part) => existsSync(join(root, part.dir, 'src/main.ts')))
    .map((part) =>
      build({
        entryPoints: [join(root, part.dir, 'src/main.ts')],
        outfile: join(root, part.dir, 'dist/main.js'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        sourcemap: true,
        external: part.external,
        // ESM bundles of CommonJS libraries need a `require` of their own.
        banner: {
          js: "import { createRequire as __ftCreateRequire } from 'node:module'; const require = __ftCreateRequire(import.meta.url);",
        },
        logLevel: 'warning',
      }),
    ),
);
console.log(`built broker, agent and cli in ${Math.round(performance.now() - started)} ms`);
