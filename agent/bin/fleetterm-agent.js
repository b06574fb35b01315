#!/usr/bin/env node
// Launcher: the code is bundled into dist/ by `npm run build:node` (also run by `npm install`).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('fleetterm-agent is not built yet: run `npm run build:node` in the repository root.');
  process.exit(1);
}
await import(entry.href);
