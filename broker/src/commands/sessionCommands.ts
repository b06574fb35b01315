import { Command } from 'commander';
import { dataOption, jsonOption, printJson, printTable, shortTime, withStore } from './cliSupport';

/** Sessions shown by `sessions`, as by the HTTP API. */
const SESSION_LIST_LIMIT = 200;

function listSessions(flags: { data: string; json?: boolean }): void {
  const sessions = withStore(flags.data, (store) => store.listSessions(SESSION_LIST_LIMIT), { create: false });
  if (flags.json) return printJson({ sessions });
  if (sessions.length === 0) return void process.stdout.write('No sessions yet.\n');
  printTable(
    ['ID', 'OPERATOR', 'MACHINE', 'USER', 'MODE', 'STARTED', 'ENDED', 'EXIT', 'IN', 'OUT'],
    sessions.map((s) => [
      s.id,
      s.operator,
      s.machine,
      s.loginUser ?? '-',
      s.mode,
      shortTime(s.startedAt),
      s.endedAt === null ? 'open' : shortTime(s.endedAt),
      s.endReason ?? (s.exitSignal ? `signal ${s.exitSignal}` : s.exitCode === null ? '-' : String(s.exitCode)),
      String(s.bytesIn),
      String(s.bytesOut),
    ]),
  );
}

export function sessionsCommand(): Command {
  return new Command('sessions')
    .description(`list the ${SESSION_LIST_LIMIT} most recent sessions, newest first`)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(listSessions);
}
