// The `fleetterm-broker` command. Everything else lives in modules without side effects.
import { runCli } from './commands/program';

process.exitCode = await runCli(process.argv);
