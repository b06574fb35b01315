import { Command, Option } from 'commander';
import { createBroker, InsecureListenError } from '../broker';
import { DEFAULT_LISTEN, isLoopbackHost, parseListenAddress } from '../listenAddress';
import { createLogger, type LogFormat } from '../../../node-common/logger';
import { CliError, dataOption } from './cliSupport';

interface ServeFlags {
  data: string;
  listen: string;
  logFormat: LogFormat;
}

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

async function serve(flags: ServeFlags): Promise<void> {
  const address = parseListenAddress(flags.listen);
  if (!address.ok) throw new CliError(address.error);
  if (!isLoopbackHost(address.value.host)) throw new CliError(new InsecureListenError(address.value.host).message, 2);
  const log = createLogger('fleetterm-broker', flags.logFormat);
  let broker;
  try {
    broker = await createBroker({
      dataDir: flags.data,
      host: address.value.host,
      port: address.value.port,
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
    .description('run the broker: the HTTP API and the WebSocket endpoints for agents and consoles')
    .addOption(dataOption())
    .addOption(
      new Option(
        '--listen <host:port>',
        'address to listen on; only loopback until TLS arrives (port 0 = any free port)',
      )
        .env('FLEETTERM_LISTEN')
        .default(DEFAULT_LISTEN),
    )
    .addOption(
      new Option('--log-format <format>', 'json: JSON lines on stdout; pretty: short lines on stderr')
        .choices(['json', 'pretty'])
        .default('json'),
    )
    .action(serve);
}
