import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { createBroker, InsecureListenError } from '../broker';
import { parseBrokerUrl } from '../../../common/brokerUrl';
import { ok } from '../../../common/result';
import { parseDuration } from '../../../common/duration';
import { parseLabels } from '../../../common/labels';
import { DEFAULT_BROADCAST_STEP_UP, type BroadcastStepUpRule } from '../relay/broadcastStepUp';
import { DEFAULT_AGENT_PORT, DEFAULT_LISTEN, isLoopbackHost, parseListenAddress } from '../listenAddress';
import { createLogger, type LogFormat } from '../../../node-common/logger';
import { CliError, dataOption, collect } from './cliSupport';

interface ServeFlags {
  data: string;
  listen: string;
  agentListen?: string;
  dnsName: string[];
  ipAddress: string[];
  tlsCert?: string;
  tlsKey?: string;
  agentUrl?: string;
  allowedOrigin: string[];
  webRoot: string;
  passkeyRpId?: string;
  stepUpWindow: string;
  broadcastStepUpSessions: string;
  broadcastStepUpLabel: string[];
  passkeyOrigin: string[];
  devInsecureHttp?: boolean;
  logFormat: LogFormat;
}

/** Next to the bundle (broker/dist/main.js): the repository's out/renderer, which `npm run build` makes. */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../out/renderer', import.meta.url));

/** Resolves with the first SIGINT or SIGTERM; a second one during shutdown exits at once. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** A duration from 10 s to 12 h (a sign-in's whole life): shorter is unusable, longer is no step-up. */
function stepUpWindowMs(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new CliError(`--step-up-window: ${parsed.error}`);
  if (parsed.value < 10_000 || parsed.value > 12 * 60 * 60_000) {
    throw new CliError('--step-up-window must be between 10s and 12h');
  }
  return parsed.value;
}

function broadcastStepUpRule(flags: ServeFlags): BroadcastStepUpRule {
  const maxSessions = Number(flags.broadcastStepUpSessions);
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new CliError('--broadcast-step-up-sessions takes a whole number of sessions, 1 or more');
  }
  const labels = parseLabels(flags.broadcastStepUpLabel);
  if (!labels.ok) throw new CliError(`--broadcast-step-up-label: ${labels.error}`);
  return {
    maxSessions,
    labels: flags.broadcastStepUpLabel.length > 0 ? labels.value : DEFAULT_BROADCAST_STEP_UP.labels,
  };
}

async function serve(flags: ServeFlags): Promise<void> {
  const address = parseListenAddress(flags.listen);
  if (!address.ok) throw new CliError(address.error);
  const agentAddress = flags.agentListen
    ? parseListenAddress(flags.agentListen, '--agent-listen')
    : ok({ host: address.value.host, port: DEFAULT_AGENT_PORT });
  if (!agentAddress.ok) throw new CliError(agentAddress.error);
  if (flags.devInsecureHttp && !isLoopbackHost(address.value.host)) {
    throw new CliError(new InsecureListenError(address.value.host).message, 2);
  }
  if (flags.agentUrl) {
    const agentUrl = parseBrokerUrl(flags.agentUrl, '/ws/agent');
    if (!agentUrl.ok || !agentUrl.value.wsUrl.startsWith('wss://')) {
      throw new CliError(`--agent-url "${flags.agentUrl}" must be a wss:// or https:// URL of the agent listener`);
    }
    flags.agentUrl = agentUrl.value.wsUrl;
  }
  const log = createLogger('fleetterm-broker', flags.logFormat);
  let broker;
  try {
    broker = await createBroker({
      dataDir: flags.data,
      host: address.value.host,
      port: address.value.port,
      agentHost: agentAddress.value.host,
      agentPort: agentAddress.value.port,
      dnsNames: flags.dnsName,
      ipAddresses: flags.ipAddress,
      tlsCertFile: flags.tlsCert,
      tlsKeyFile: flags.tlsKey,
      agentUrl: flags.agentUrl,
      allowedOrigins: flags.allowedOrigin,
      webRoot: flags.webRoot,
      passkeyRpId: flags.passkeyRpId,
      stepUpWindowMs: stepUpWindowMs(flags.stepUpWindow),
      broadcastStepUp: broadcastStepUpRule(flags),
      passkeyOrigins: flags.passkeyOrigin.length > 0 ? flags.passkeyOrigin : undefined,
      devInsecureHttp: flags.devInsecureHttp,
      logger: log,
    });
  } catch (error) {
    if (error instanceof InsecureListenError) throw new CliError(error.message, 2);
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  const signal = await untilSignal();
  log.info({ signal }, 'shutting down');
  await broker.close();
}

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'run the broker: the console listener (HTTPS API, /ws/console) and the agent listener (mutual TLS, /ws/agent)',
    )
    .addOption(dataOption())
    .addOption(
      new Option('--listen <host:port>', 'the console listener: API and consoles, HTTPS (port 0 = any free port)')
        .env('FLEETTERM_LISTEN')
        .default(DEFAULT_LISTEN),
    )
    .addOption(
      new Option(
        '--agent-listen <host:port>',
        `the agent listener: mutual TLS with agent certificates (default: the --listen host, port ${DEFAULT_AGENT_PORT})`,
      ).env('FLEETTERM_AGENT_LISTEN'),
    )
    .option(
      '--dns-name <name>',
      'a DNS name for the server certificate (localhost always); repeat for more',
      collect,
      [],
    )
    .option('--ip-address <address>', 'an IP address for the server certificate; repeat for more', collect, [])
    .option(
      '--tls-cert <file>',
      'your own certificate chain (PEM) for the console listener, instead of the CA-issued one',
    )
    .option('--tls-key <file>', 'the private key (PEM) of --tls-cert')
    .option(
      '--agent-url <url>',
      'the agent listener URL handed to enrolling agents (default: the host they enrolled through, agent port)',
    )
    .addOption(
      new Option('--web-root <dir>', 'the web console files (the renderer build)')
        .env('FLEETTERM_WEB_ROOT')
        .default(DEFAULT_WEB_ROOT, 'out/renderer in the repository'),
    )
    .addOption(
      new Option('--step-up-window <duration>', 'how recent a passkey or app-code check must be to open a terminal')
        .env('FLEETTERM_STEP_UP_WINDOW')
        .default('5m'),
    )
    .option(
      '--broadcast-step-up-sessions <n>',
      'a broadcast to more sessions than this needs a fresh step-up',
      String(DEFAULT_BROADCAST_STEP_UP.maxSessions),
    )
    .option(
      '--broadcast-step-up-label <key=value>',
      'a broadcast to a machine with this label needs a fresh step-up (default env=prod); repeat: all must match',
      collect,
      [],
    )
    .option(
      '--passkey-rp-id <name>',
      'the passkey relying party: a DNS name, never an IP address (default: the first --dns-name, else localhost)',
    )
    .option(
      '--passkey-origin <origin>',
      'a page origin that may run passkey ceremonies (default: the RP ID on the --listen port); repeat for more',
      collect,
      [],
    )
    .option(
      '--allowed-origin <origin>',
      "another origin whose pages may open console links besides the broker's own; repeat for more",
      collect,
      [],
    )
    .addOption(
      new Option(
        '--dev-insecure-http',
        'DEVELOPMENT ONLY: serve the console listener over plain HTTP (loopback only; agents keep mutual TLS)',
      ).env('FLEETTERM_DEV_INSECURE_HTTP'),
    )
    .addOption(
      new Option('--log-format <format>', 'json: JSON lines on stdout; pretty: short lines on stderr')
        .choices(['json', 'pretty'])
        .default('json'),
    )
    .action(serve);
}
