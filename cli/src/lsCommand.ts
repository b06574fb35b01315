import type { BrokerClient } from './brokerClient';
import { ExitCode } from './exitCodes';
import type { CliIo } from './io';
import { formatMachineTable } from './machineTable';

export interface LsDeps {
  client: BrokerClient;
  io: CliIo;
  now?: () => Date;
}

/** `fleetterm ls`: the machine list as a table, or the broker's JSON document with --json. */
export async function runLs(options: { json: boolean }, deps: LsDeps): Promise<number> {
  const { machines, document } = await deps.client.listMachines();
  if (options.json) {
    deps.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else if (machines.length === 0) {
    deps.io.stderr.write(
      'No machines are enrolled yet; enrol one with `fleetterm-broker enroll-token create --name NAME`.\n',
    );
  } else {
    deps.io.stdout.write(formatMachineTable(machines, (deps.now ?? (() => new Date()))()));
  }
  return ExitCode.OK;
}
