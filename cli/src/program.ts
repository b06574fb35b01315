import { Command, CommanderError, Option } from 'commander';
import { parseDuration } from '../../common/duration';
import { parseLabels } from '../../common/labels';
import { ConsoleOpen } from '../../common/protocol';
import { DEFAULT_BROKER_URL, resolveConnection, resolveTrustFlags, type ConnectionSettings } from './connection';
import type { ExecOptions } from './execCommand';
import { CliError, ExitCode, usageError } from './exitCodes';
import type { CliIo } from './io';
import type { ShellOptions } from './shellCommand';
import { createTrustRunner, type TrustRunner } from './trustCommand';
import { runLogin, runLogout } from './loginCommand';
import { SavedLogins, savedLoginsPath } from './savedLogins';
import { withSignedInToken } from './signedInToken';
import { CLI_VERSION } from './version';

/** What each command does once its arguments are parsed and checked. */
export interface CommandRunners {
  ls(settings: ConnectionSettings, options: { json: boolean }): Promise<number>;
  shell(settings: ConnectionSettings, options: ShellOptions): Promise<number>;
  exec(settings: ConnectionSettings, options: ExecOptions): Promise<number>;
}

const ROOT_HELP = `
Environment:
  FLEETTERM_BROKER  broker URL when --broker is not given (default ${DEFAULT_BROKER_URL})
  FLEETTERM_TOKEN   API token when --token is not given; an admin creates one
                    with \`fleetterm-broker token create --role operator\`
  FLEETTERM_CA_FILE, FLEETTERM_CA_PIN
                    the broker's CA when --ca-file / --ca-pin are not given
  FLEETTERM_CONFIG_DIR
                    where known_brokers.json lives (default ~/.config/fleetterm)
  NO_COLOR          any value turns off the coloured machine names of exec

Exit codes:
  0    success (exec: the command exited 0 on every machine)
  1    remote failure: a command failed, a machine or the broker refused, the token was refused
  2    usage error: bad flags or arguments, no token
  3    cannot reach the broker
  4    the broker's certificate is not trusted: its CA is unknown and was not
       confirmed, it changed, or it does not match --ca-file / --ca-pin
  shell returns the remote shell's exit status (128+n when signal n ended it);
  a local SIGINT/SIGTERM/SIGHUP closes the session(s) and exits 128+n.

Plain http:// and ws:// are allowed only to loopback (127.0.0.0/8, ::1, localhost).
The CA of an https:// broker is pinned on first contact, after you compare its
fingerprint (or from --ca-file / --ca-pin), like SSH's known_hosts; a changed CA
is refused. See \`fleetterm trust --help\`.

Examples:
  $ export FLEETTERM_TOKEN=ftk_...
  $ fleetterm ls
  $ fleetterm shell web-1
  $ fleetterm exec --label env=prod -- uptime
  $ fleetterm --broker https://broker.example.com exec --machine db-1 --json -- df -h /
`;

const LS_HELP = `
Examples:
  $ fleetterm ls
  $ fleetterm ls --json | jq -r '.machines[] | select(.online) | .name'
`;

const SHELL_HELP = `
Stdin that is a terminal is put in raw mode (Ctrl-C and every other key go to
the remote shell) and restored on exit; the remote window follows the local one.
Stdin that is a pipe is sent as typed input, followed by Ctrl-D at its end.
If the connection drops, the session resumes without losing output.

Examples:
  $ fleetterm shell web-1
  $ fleetterm shell web-1 --user deploy
  $ printf 'uname -a\\nexit\\n' | fleetterm shell web-1
`;

const EXEC_HELP = `
The machines are those named with --machine plus those carrying every --label
(or all with --all). Offline machines are reported as failed (MACHINE_OFFLINE).
COMMAND... is joined with spaces and run by the login shell with -c in a
pseudo-terminal, so stdout and stderr arrive merged. Stdin is not forwarded.

Output: each line as "machine | line" while it runs (--group: each machine's
output whole when it finishes), then a summary of exit codes on stderr.
--json prints only {"results":[{machine, exitCode, signal, output, error?}]}.
Error codes besides the protocol's: TIMEOUT, INTERRUPTED, LINK_CLOSED.

Examples:
  $ fleetterm exec --machine web-1 --machine web-2 -- uptime
  $ fleetterm exec --label env=prod --label role=db -- 'systemctl is-active postgresql'
  $ fleetterm exec --all --group --timeout 30s -- df -h /
  $ fleetterm exec --label env=test --json -- hostname | jq '.results[].output'
`;

const TRUST_HELP = `
Pins the CA of an https:// broker in known_brokers.json (in FLEETTERM_CONFIG_DIR,
default \${XDG_CONFIG_HOME:-~/.config}/fleetterm). Without --ca-file or --ca-pin it
shows the CA's fingerprint and asks; compare it with \`fleetterm-broker ca show\`
on the broker host. For a pinned broker it checks the CA now and adds roots the
broker announces during a CA rotation. A changed CA is never replaced: --forget
the entry, then pin again.

Examples:
  $ fleetterm trust --broker https://broker.example.org:7420
  $ fleetterm trust --broker https://broker.example.org:7420 --ca-file root.crt
  $ fleetterm trust --broker https://broker.example.org:7420 --ca-pin sha256/8FHI...=
  $ fleetterm trust --list
  $ fleetterm trust --forget broker.example.org:7420
`;

const MACHINE_NAME = ConsoleOpen.shape.machine;
const LOGIN_USER = ConsoleOpen.shape.loginUser;

/**
 * Parses `argv` (without node and the script), runs the command and returns
 * the process exit code. Never calls process.exit: tests run it in-process.
 */
export async function runCli(
  argv: readonly string[],
  runners: CommandRunners,
  io: CliIo,
  trust: TrustRunner = createTrustRunner(io),
  logins: SavedLogins = new SavedLogins(savedLoginsPath(io.env)),
): Promise<number> {
  let code: number = ExitCode.OK;
  const program = new Command('fleetterm')
    .description('Fleetterm headless client: list machines, open shells, run commands across the fleet.')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, 'fleetterm: ')),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ROOT_HELP);
  addConnectionOptions(program);

  /** Flags of the command win over those before it, which win over the environment. */
  const optionFor = (command: Command, name: keyof ConnectionFlags): string | undefined =>
    command.opts<ConnectionFlags>()[name] ?? program.opts<ConnectionFlags>()[name];

  /** Where the broker is, the token, and (for https://) the CA to trust, asking the user if need be. */
  const settingsFor = async (command: Command): Promise<ConnectionSettings> => {
    const resolved = resolveConnection(
      { broker: optionFor(command, 'broker'), token: optionFor(command, 'token') },
      io.env,
    );
    if (!resolved.ok) throw usageError(resolved.error);
    const flags = resolveTrustFlags(
      { caFile: optionFor(command, 'caFile'), caPin: optionFor(command, 'caPin') },
      io.env,
    );
    if (!flags.ok) throw usageError(flags.error);
    return trust.establish(resolved.value, flags.value);
  };
  /** The settings with a token: the one given, or this broker's `fleetterm login`. */
  const signedInSettingsFor = async (command: Command): Promise<ConnectionSettings> =>
    withSignedInToken(await settingsFor(command), logins);

  addConnectionOptions(
    program
      .command('ls')
      .description('list the machines: name, online state, OS, labels, open sessions, last seen')
      .option('--json', 'print {"machines":[...]} as the broker sends it, and nothing else')
      .addHelpText('after', LS_HELP),
  ).action(async (opts: { json?: boolean }, command: Command) => {
    code = await runners.ls(await signedInSettingsFor(command), { json: Boolean(opts.json) });
  });

  addConnectionOptions(
    program
      .command('shell')
      .description('open an interactive shell on a machine')
      .argument('<machine>', 'the machine name, as `fleetterm ls` shows it')
      .option('-u, --user <login>', "log in as this user (default: the agent's default login user)")
      .addHelpText('after', SHELL_HELP),
  ).action(async (machine: string, opts: { user?: string }, command: Command) => {
    checkMachineName(machine);
    if (opts.user !== undefined) checkLoginUser(opts.user);
    code = await runners.shell(await signedInSettingsFor(command), { machine, loginUser: opts.user });
  });

  addConnectionOptions(
    program
      .command('exec')
      .description('run a command on many machines at once')
      .argument('<command...>', 'the command line (put it after --)')
      .option('-m, --machine <name>', 'run on this machine (repeatable)', collect)
      .option('-l, --label <key=value>', 'run on machines carrying this label (repeatable; all must match)', collect)
      .option('--all', 'run on every enrolled machine')
      .option('-u, --user <login>', "run as this user (default: the agent's default login user)")
      .addOption(new Option('--group', "print each machine's output whole when it finishes").conflicts('json'))
      .option('--json', 'print one JSON document with every result, and nothing else, on stdout')
      .option('--timeout <duration>', 'close sessions still running after this long, e.g. 30s, 5m, 1h30m')
      .passThroughOptions()
      .addHelpText('after', EXEC_HELP),
  ).action(async (words: string[], opts: RawExecOptions, command: Command) => {
    const options = toExecOptions(words, opts);
    code = await runners.exec(await signedInSettingsFor(command), options);
  });

  addConnectionOptions(
    program
      .command('login')
      .description('sign this command in as you, with a passkey in the browser (instead of an API token)'),
  ).action(async (_opts: unknown, command: Command) => {
    code = await runLogin(await settingsFor(command), { io, logins });
  });

  addConnectionOptions(
    program.command('logout').description("end this command's sign-in at the broker and forget it here"),
  ).action(async (_opts: unknown, command: Command) => {
    code = await runLogout(await settingsFor(command), { io, logins });
  });

  program
    .command('trust')
    .description("pin an https:// broker's CA (like SSH's known_hosts), list the pinned brokers, or forget one")
    .option('--broker <url>', `broker URL (env FLEETTERM_BROKER, default ${DEFAULT_BROKER_URL})`)
    .option('--ca-file <file>', "the broker's CA as a PEM file an admin handed out (env FLEETTERM_CA_FILE)")
    .option('--ca-pin <pin>', "the broker's CA pin, sha256/… (env FLEETTERM_CA_PIN)")
    .option('-y, --yes', 'pin the CA without asking (compare the printed fingerprint yourself)')
    .addOption(new Option('--list', 'list the pinned brokers').conflicts(['forget', 'caFile', 'caPin', 'yes']))
    .addOption(new Option('--forget <host:port>', "remove a broker's pinned CA").conflicts(['caFile', 'caPin', 'yes']))
    .addHelpText('after', TRUST_HELP)
    .action(async (opts: { yes?: boolean; list?: boolean; forget?: string }, command: Command) => {
      const flags = resolveTrustFlags(
        { caFile: optionFor(command, 'caFile'), caPin: optionFor(command, 'caPin') },
        io.env,
      );
      if (!flags.ok) throw usageError(flags.error);
      code = await trust.run({
        ...flags.value,
        broker: optionFor(command, 'broker') ?? (io.env.FLEETTERM_BROKER || DEFAULT_BROKER_URL),
        yes: Boolean(opts.yes),
        list: Boolean(opts.list),
        forget: opts.forget,
      });
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    if (error instanceof CliError) {
      io.stderr.write(`fleetterm: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`fleetterm: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.REMOTE_FAILURE;
  }
}

interface ConnectionFlags {
  broker?: string;
  token?: string;
  caFile?: string;
  caPin?: string;
}

interface RawExecOptions {
  machine?: string[];
  label?: string[];
  all?: boolean;
  user?: string;
  group?: boolean;
  json?: boolean;
  timeout?: string;
}

/** Checks exec's flags and turns them into ExecOptions; bad ones are usage errors. */
export function toExecOptions(words: readonly string[], opts: RawExecOptions): ExecOptions {
  const names = opts.machine ?? [];
  names.forEach(checkMachineName);
  const labels = parseLabels(opts.label ?? []);
  if (!labels.ok) throw usageError(labels.error);
  if (names.length === 0 && Object.keys(labels.value).length === 0 && !opts.all) {
    throw usageError('say where to run the command: --machine NAME, --label key=value or --all');
  }
  if (opts.user !== undefined) checkLoginUser(opts.user);
  let timeoutMs: number | undefined;
  if (opts.timeout !== undefined) {
    const parsed = parseDuration(opts.timeout);
    if (!parsed.ok) throw usageError(`--timeout: ${parsed.error}`);
    if (parsed.value <= 0) throw usageError('--timeout must be longer than 0');
    timeoutMs = parsed.value;
  }
  const command = words.join(' ').trim();
  if (command === '') throw usageError('the command is empty; put it after --, e.g. fleetterm exec --all -- uptime');
  return {
    selection: { names: [...new Set(names)], labels: labels.value, all: Boolean(opts.all) },
    command,
    loginUser: opts.user,
    mode: opts.json ? 'json' : opts.group ? 'group' : 'prefix',
    timeoutMs,
  };
}

/** On the program and on each command, so they work before and after the command name. */
function addConnectionOptions(command: Command): Command {
  return command
    .option('--broker <url>', `broker URL (env FLEETTERM_BROKER, default ${DEFAULT_BROKER_URL})`)
    .option('--token <token>', 'API token (env FLEETTERM_TOKEN)')
    .option('--ca-file <file>', "trust the broker's CA from this PEM file (env FLEETTERM_CA_FILE)")
    .option('--ca-pin <pin>', "trust the broker's CA with this pin, sha256/… (env FLEETTERM_CA_PIN)");
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function checkMachineName(name: string): void {
  const parsed = MACHINE_NAME.safeParse(name);
  if (!parsed.success) throw usageError(`"${name}" is not a machine name: ${parsed.error.issues[0]?.message}`);
}

function checkLoginUser(user: string): void {
  const parsed = LOGIN_USER.safeParse(user);
  if (!parsed.success) throw usageError(`"${user}" is not a login user name`);
}
