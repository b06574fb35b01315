import { drained } from './io';
import { createNodeRunners } from './nodeRunners';
import { runCli } from './program';

// Whatever happens, never leave the user's terminal in raw mode.
process.on('exit', () => {
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
});

// A reader that went away (`fleetterm ls | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
const code = await runCli(process.argv.slice(2), createNodeRunners(io), io);
// stdin may still hold the event loop open: exit explicitly, once our output is out.
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
