#!/usr/bin/env node
// Launcher: the code is bundled into dist/ by `npm run build:node` (also run by `npm install`).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// A young generation of at most 1 MB per semi-space instead of V8's 16: the
// idle agent keeps 5 MB less private memory (docs/BENCHMARKS.md, History) and
// bulk output and echo measured no different. Set before the agent's code
// loads; a V8 that ignores the change at run time only loses the saving.
setFlagsFromString('--max-semi-space-size=1');
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('fleetterm-agent is not built yet: run `npm run build:node` in the repository root.');
  process.exit(1);
}
await import(entry.href);
