import { formatLabels, matchesLabels, type Labels } from '../../common/labels';
import { err, ok, type Result } from '../../common/result';
import type { MachineInfo } from './machines';

export interface TargetSelection {
  /** Machines named with --machine; each must exist. */
  names: string[];
  /** --label selectors; a machine must carry all of them. */
  labels: Labels;
  /** --all: every enrolled machine. */
  all: boolean;
}

/**
 * The machines an `exec` runs on: the named ones plus those carrying every
 * given label (or all with --all), each once, sorted by name. Offline
 * machines stay in: the caller reports them as failed rather than skipping
 * them silently.
 */
export function selectTargets(
  machines: readonly MachineInfo[],
  selection: TargetSelection,
): Result<MachineInfo[], string> {
  const byName = new Map(machines.map((m) => [m.name, m]));
  const unknown = selection.names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => `"${name}"`).join(', ');
    return err(`no machine named ${list} (MACHINE_NOT_FOUND); \`fleetterm ls\` lists them`);
  }
  const hasLabels = Object.keys(selection.labels).length > 0;
  const chosen = machines.filter(
    (m) =>
      selection.all || selection.names.includes(m.name) || (hasLabels && matchesLabels(m.labels, selection.labels)),
  );
  if (chosen.length === 0) {
    if (selection.all)
      return err('no machines are enrolled yet; enrol one with `fleetterm-broker enroll-token create`');
    return err(
      `no machine has the labels ${formatLabels(selection.labels)}; \`fleetterm ls\` shows each machine's labels`,
    );
  }
  return ok([...chosen].sort((a, b) => a.name.localeCompare(b.name)));
}
