import { Command, CommanderError, Option } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LogFormat } from '../../node-common/logger';
import { loadConfig } from './config';
import { certificatePeriod, readIdentity } from './identity';
import { AgentError, ensureEnrolled, runAgent } from './runAgent';
import { AGENT_VERSION } from './version';

const DEFAULT_STATE_DIR = join(homedir(), '.local', 'share', 'fleetterm', 'agent');

const stateOption = () =>
  new Option('--state <dir>', "state directory (holds the machine's key and certificate, mode 0600)")
    .env('FLEETTERM_AGENT_STATE')
    .default(DEFAULT_STATE_DIR, '~/.local/share/fleetterm/agent');
const brokerOption = () =>
  new Option('--broker <url>', 'the broker to enrol with, e.g. https://broker.example:7420').env('FLEETTERM_BROKER');
const tokenOption = () =>
  new Option('--enroll-token <token>', 'one-time enrolment token (fte_…), used on first start only');
const caPinOption = () =>
  new Option(
    '--ca-pin <pin>',
    "the broker CA's pin (sha256/…) from `enroll-token create`; a broker with another CA is refused",
  ).env('FLEETTERM_CA_PIN');
const nameOption = () =>
  new Option('--name <name>', 'the machine name the token was made for (the broker refuses a token used for another)');
const logOption = () =>
  new Option('--log-format <format>', 'json lines on stdout, or short lines on stderr')
    .choices(['json', 'pretty'])
    .default('json');

interface RunFlags {
  broker?: string;
  enrollToken?: string;
  caPin?: string;
  name?: string;
  agentUrl?: string;
  state: string;
  config?: string;
  logFormat: LogFormat;
}

export function buildProgram(onExitCode: (code: number) => void): Command {
  const program = new Command('fleetterm-agent')
    .description(
      'Fleetterm agent: keeps an outbound link to the broker and runs shells for operators in pseudo-terminals.',
    )
    .version(AGENT_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('enrol on first start, then serve shells until stopped (SIGINT/SIGTERM end every session cleanly)')
    .addOption(brokerOption())
    .addOption(tokenOption())
    .addOption(caPinOption())
    .addOption(nameOption())
    .addOption(stateOption())
    .option('--agent-url <url>', 'connect to this agent listener instead of the one enrolment named (wss://…)')
    .option('--config <file>', 'config file (JSON) with limits and login users; see the README')
    .addOption(logOption())
    .addHelpText(
      'after',
      '\nExample:\n  fleetterm-agent run --broker https://broker.example:7420 --enroll-token fte_… ' +
        '--ca-pin sha256/… --state /var/lib/fleetterm-agent',
    )
    .action(async (flags: RunFlags) => {
      const config = await loadConfig(flags.config);
      if (!config.ok) throw new AgentError(config.error);
      onExitCode(
        await runAgent({
          ...flags,
          stateDir: flags.state,
          config: config.value,
          log: createLogger('fleetterm-agent', flags.logFormat),
        }),
      );
    });

  program
    .command('enroll')
    .description('enrol this machine: make its key, get its certificate, store both; without connecting')
    .addOption(brokerOption().makeOptionMandatory())
    .addOption(tokenOption().makeOptionMandatory())
    .addOption(caPinOption().makeOptionMandatory())
    .addOption(nameOption())
    .addOption(stateOption())
    .addOption(logOption())
    .action(async (flags: RunFlags) => {
      await ensureEnrolled({ ...flags, stateDir: flags.state }, createLogger('fleetterm-agent', flags.logFormat));
    });

  program
    .command('status')
    .description('show whether this machine is enrolled, and as what')
    .addOption(stateOption())
    .option('--json', 'print one JSON document on stdout and nothing else there')
    .action(async (flags: { state: string; json?: boolean }) => {
      const stored = await readIdentity(flags.state);
      if (!stored.ok) throw new AgentError(stored.error, 1);
      const identity = stored.value;
      const period = identity && certificatePeriod(identity);
      const status =
        identity && period
          ? {
              enrolled: true,
              ...identity.machine,
              certificateExpires: new Date(period.notAfter).toISOString(),
            }
          : { enrolled: false };
      if (flags.json) return void process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      process.stdout.write(
        identity && period
          ? `enrolled as ${identity.machine.name} (${identity.machine.machineId}) with ${identity.machine.broker} ` +
              `on ${identity.machine.enrolledAt}\n` +
              `  agent listener: ${identity.machine.agentUrl}\n` +
              `  certificate expires ${new Date(period.notAfter).toISOString()} (renewed automatically at 2/3 of its life)\n`
          : `not enrolled: ${flags.state} holds no identity\n`,
      );
    });

  program.commands.forEach((command) => command.exitOverride().showHelpAfterError('(add --help for usage)'));
  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  try {
    await buildProgram((code) => (exitCode = code)).parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof AgentError) {
      process.stderr.write(`fleetterm-agent: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `fleetterm-agent: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}
