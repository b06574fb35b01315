import { runCli } from './program';

process.exitCode = await runCli(process.argv);
// Timers of ended sessions must not keep a stopped agent alive.
process.exit();
