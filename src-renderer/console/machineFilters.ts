import type { Machine } from './machinesApi';

export type MachineStateFilter = 'all' | 'online' | 'offline';

/** What the machine list shows; '' means any. */
export interface MachineFilter {
  /** Matches a machine's name, hostname, or any of its labels written `key=value`, ignoring case. */
  query: string;
  /** One label, `key=value`. */
  label: string;
  os: string;
  state: MachineStateFilter;
}

export const NO_FILTER: MachineFilter = { query: '', label: '', os: '', state: 'all' };

export function labelText(key: string, value: string): string {
  return `${key}=${value}`;
}

/** The machines the filter lets through, in the order given. */
export function filterMachines(machines: readonly Machine[], filter: MachineFilter): Machine[] {
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  return machines.filter((machine) => {
    if (filter.state === 'online' && !machine.online) return false;
    if (filter.state === 'offline' && machine.online) return false;
    if (filter.os && machine.os !== filter.os) return false;
    if (filter.label && !hasLabel(machine, filter.label)) return false;
    if (words.length === 0) return true;
    const haystack = [machine.name, machine.hostname, ...labelsOf(machine)].map((text) => text.toLowerCase());
    // Every word must match somewhere: "web prod" finds web-1 labelled env=prod.
    return words.every((word) => haystack.some((text) => text.includes(word)));
  });
}

export function isFiltered(filter: MachineFilter): boolean {
  return filter.query.trim() !== '' || filter.label !== '' || filter.os !== '' || filter.state !== 'all';
}

/** Every `key=value` label in the fleet, sorted, for the label filter. */
export function labelOptions(machines: readonly Machine[]): string[] {
  return [...new Set(machines.flatMap(labelsOf))].sort((a, b) => a.localeCompare(b));
}

/** Every OS in the fleet, sorted. */
export function osOptions(machines: readonly Machine[]): string[] {
  return [...new Set(machines.map((machine) => machine.os))].sort((a, b) => a.localeCompare(b));
}

/** Node's platform names as people say them. */
export function osName(os: string): string {
  return OS_NAMES[os] ?? os;
}

const OS_NAMES: Record<string, string> = {
  linux: 'Linux',
  darwin: 'macOS',
  win32: 'Windows',
  freebsd: 'FreeBSD',
  openbsd: 'OpenBSD',
  sunos: 'Solaris',
  aix: 'AIX',
};

function labelsOf(machine: Machine): string[] {
  return Object.entries(machine.labels).map(([key, value]) => labelText(key, value));
}

function hasLabel(machine: Machine, label: string): boolean {
  const at = label.indexOf('=');
  if (at < 0) return label in machine.labels;
  return machine.labels[label.slice(0, at)] === label.slice(at + 1);
}
