// Bundles the Node parts (broker, agent, headless client) with esbuild.
// Each bundle inlines `common/` and the pure-JS libraries it uses; native
// modules and `ws` (which loads the optional native `bufferutil`) stay
// external, so they are installed as the package's own dependencies.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const parts = [
  { dir: 'broker', external: ['better-sqlite3', 'ws', 'bufferutil'] },
  // The agent idles on every machine for weeks, so its resident memory is
  // what it costs (docs/BENCHMARKS.md, History, agent idle memory).
  { dir: 'agent', external: ['node-pty', 'ws', 'bufferutil'], lean: true },
  { dir: 'cli', external: ['ws', 'bufferutil'] },
];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // ESM bundles of CommonJS libraries need a `require` of their own (each chunk too).
  banner: {
    js: "import { createRequire as __ftCreateRequire } from 'node:module'; const require = __ftCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

/**
 * V8 keeps a script's source as UTF-16 (two bytes a character) when it holds
 * any character above U+00FF. esbuild escapes those in strings and regular
 * expressions but leaves comments as written (an em dash in zod, an ellipsis
 * in ours), which doubled the resident source of the agent. Escaped there,
 * they change nothing.
 */
const latin1Only = (text) =>
  text.replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The agent: code reached only through `import()` (enrolment, the X.509
 * library for certificate renewal) goes to chunks an idle agent never loads,
 * and every file is Latin-1, so V8 holds its source at one byte a character.
 */
async function buildLean(part) {
  const outdir = join(root, part.dir, 'dist');
  const result = await build({
    ...common,
    entryPoints: [join(root, part.dir, 'src/main.ts')],
    outdir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    external: part.external,
    write: false,
  });
  // Chunk names carry hashes: chunks of earlier builds would pile up.
  await rm(outdir, { recursive: true, force: true });
  for (const file of result.outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.path.endsWith('.js') ? latin1Only(file.text) : file.contents);
  }
}

const started = performance.now();
await Promise.all(
  parts
    .filter((part) => existsSync(join(root, part.dir, 'src/main.ts')))
    .map((part) =>
      part.lean
        ? buildLean(part)
        : build({
            ...common,
            entryPoints: [join(root, part.dir, 'src/main.ts')],
            outfile: join(root, part.dir, 'dist/main.js'),
            external: part.external,
          }),
    ),
);
console.log(`built broker, agent and cli in ${Math.round(performance.now() - started)} ms`);
