import { formatLabels } from '../../common/labels';
import type { MachineInfo } from './machines';
import { formatTable } from './table';

/** "now" for connected machines; otherwise how long ago the broker last heard from it. */
export function formatLastSeen(machine: Pick<MachineInfo, 'online' | 'lastSeen'>, now: Date): string {
  if (machine.online) return 'now';
  if (!machine.lastSeen) return 'never';
  const then = Date.parse(machine.lastSeen);
  if (Number.isNaN(then)) return machine.lastSeen;
  const seconds = Math.max(0, Math.round((now.getTime() - then) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

export function formatMachineTable(machines: readonly MachineInfo[], now: Date): string {
  const rows = machines.map((m) => [
    m.name,
    m.online ? 'online' : 'offline',
    [m.os, m.arch].filter(Boolean).join('/') || '-',
    formatLabels(m.labels) || '-',
    String(m.sessions ?? 0),
    formatLastSeen(m, now),
  ]);
  return formatTable(['NAME', 'STATE', 'OS', 'LABELS', 'SESSIONS', 'LAST SEEN'], rows);
}
