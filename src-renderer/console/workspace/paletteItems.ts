import type { Machine } from '../machinesApi';
import { COMMANDS, describeShortcut, type CommandId } from '../../../common/consoleCommands';

export type PaletteItem =
  | { kind: 'machine'; machine: Machine; detail: string }
  | { kind: 'command'; id: CommandId; title: string; detail: string };

const MAX_MACHINES = 50;

/**
 * What the quick-open palette lists for a query: machines whose name or a
 * label contains every word (online first), then matching commands. An
 * empty query lists machines and every command.
 */
export function paletteItems(query: string, machines: readonly Machine[], mac: boolean): PaletteItem[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  const matches = (text: string) => words.every((word) => text.includes(word));
  const found = machines
    .filter((machine) =>
      matches(
        [machine.name, machine.hostname, ...Object.entries(machine.labels).map(([k, v]) => `${k}=${v}`)]
          .join(' ')
          .toLowerCase(),
      ),
    )
    .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name))
    .slice(0, MAX_MACHINES)
    .map((machine): PaletteItem => {
      const labels = Object.entries(machine.labels).map(([k, v]) => `${k}=${v}`);
      return {
        kind: 'machine',
        machine,
        detail: [machine.online ? '' : 'offline', ...labels].filter((part) => part !== '').join(' · '),
      };
    });
  const commands = COMMANDS.filter(
    (command) => command.id !== 'palette.open' && matches(command.title.toLowerCase()),
  ).map((command): PaletteItem => ({
    kind: 'command',
    id: command.id,
    title: command.title,
    detail: command.shortcuts[0] ? describeShortcut(command.shortcuts[0], mac) : '',
  }));
  return [...found, ...commands];
}
