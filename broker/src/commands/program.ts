import { Command, CommanderError } from 'commander';
import { BROKER_VERSION } from '../version';
import { auditCommand } from './auditCommands';
import { CliError } from './cliSupport';
import { machinesCommand } from './machineCommands';
import { sessionsCommand } from './sessionCommands';
import { usersCommand } from './userCommands';
import { caCommand, initCommand } from './pkiCommands';
import { policyCommand } from './policyCommands';
import { serveCommand } from './serveCommand';
import { enrollTokenCommand, tokenCommand } from './tokenCommands';

export function buildProgram(): Command {
  const program = new Command('fleetterm-broker')
    .description(
      'Fleetterm broker: relays terminal sessions between operator consoles and machine agents.\n' +
        'Commands other than serve work on the database directly, also while serve runs.',
    )
    .version(BROKER_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const command of [
    initCommand(),
    serveCommand(),
    enrollTokenCommand(),
    tokenCommand(),
    machinesCommand(),
    policyCommand(),
    usersCommand(),
    sessionsCommand(),
    caCommand(),
    auditCommand(),
  ]) {
    program.addCommand(command);
  }
  // Subcommands inherit the exit override, so usage errors return here instead of exiting.
  const inherit = (command: Command) => {
    command.exitOverride().showHelpAfterError('(add --help for usage)');
    command.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}

/** Runs the CLI; resolves with the process exit code. Errors go to stderr, never stdout. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help, or the version).
      return error.exitCode;
    }
    if (error instanceof CliError) {
      process.stderr.write(`fleetterm-broker: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `fleetterm-broker: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}
