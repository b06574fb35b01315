import { Command } from 'commander';
import { formatLabels } from '../../../common/labels';
import { cliActor } from '../audit/auditLog';
import { auditFromCli } from './cliAudit';
import { CliError, dataOption, jsonOption, printJson, printTable, shortTime, withStore } from './cliSupport';

function listMachines(flags: { data: string; json?: boolean }): void {
  const machines = withStore(flags.data, (store) => store.listMachines(), { create: false });
  if (flags.json) return printJson({ machines });
  if (machines.length === 0) {
    return void process.stdout.write('No machines yet; enrol one with `enroll-token create`.\n');
  }
  printTable(
    ['NAME', 'LABELS', 'OS', 'ONLINE', 'LAST SEEN', 'SESSIONS'],
    machines.map((m) => [
      m.name,
      formatLabels(m.labels) || '-',
      [m.os, m.arch].filter(Boolean).join('/') || '-',
      m.online ? 'yes' : 'no',
      shortTime(m.lastSeen),
      String(m.sessions),
    ]),
  );
}

/**
 * Revokes a machine in the store: its certificates stop working at once for
 * new connections and renewals; a running broker sees the change within a
 * second, ends the machine's sessions (telling their consoles why) and
 * closes its link. Sessions are ended here too, for a broker that is not running.
 */
function revokeMachine(name: string, flags: { data: string; json?: boolean }): void {
  const result = withStore(
    flags.data,
    (store) => {
      const now = Date.now();
      const machine = store.revokeMachine(name, now);
      if (!machine) return undefined;
      const sessions = store.openSessionIds(machine.id);
      for (const id of sessions) {
        store.endSession(id, { endedAt: now, exitCode: null, exitSignal: null, endReason: 'MACHINE_REVOKED' });
      }
      auditFromCli(flags.data, store, (audit) =>
        audit.record('machine.revoked', {
          actor: cliActor(),
          target: machine.name,
          detail: { machineId: machine.id, sessionsEnded: sessions.length },
        }),
      );
      return { machine, sessionsEnded: sessions.length };
    },
    { create: false },
  );
  if (!result) throw new CliError(`no enrolled machine is named "${name}"; see \`fleetterm-broker machines\``);
  const { machine, sessionsEnded } = result;
  if (flags.json) return printJson({ revoked: machine.name, machineId: machine.id, sessionsEnded });
  process.stdout.write(
    `Revoked machine ${machine.name} (${machine.id}); ${sessionsEnded} open session${sessionsEnded === 1 ? '' : 's'} ended.\n` +
      'A running broker closes its link within a second and refuses its reconnects and renewals.\n' +
      'To bring the machine back, enrol it anew with a new enrolment token.\n',
  );
}

export function machinesCommand(): Command {
  const group = new Command('machines').description('enrolled machines: list them (the default), revoke one');
  group
    .command('list', { isDefault: true })
    .description('list enrolled machines: labels, OS, online state, last seen, open sessions')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(listMachines);
  group
    .command('revoke')
    .description('revoke a machine: close its link, end its sessions, refuse its certificate from now on')
    .argument('<name>', 'the machine name')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(revokeMachine);
  return group;
}
