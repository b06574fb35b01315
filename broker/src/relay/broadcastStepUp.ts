import { formatLabels, matchesLabels, type Labels } from '../../../common/labels';

/**
 * When a broadcast needs a fresh step-up: it reaches more sessions than
 * `maxSessions`, or any machine carrying every label of `labels`.
 */
export interface BroadcastStepUpRule {
  maxSessions: number;
  labels: Labels;
}

export const DEFAULT_BROADCAST_STEP_UP: BroadcastStepUpRule = { maxSessions: 10, labels: { env: 'prod' } };

/** Why this broadcast needs a step-up, or undefined when it does not. */
export function broadcastStepUpReason(
  rule: BroadcastStepUpRule,
  targets: ReadonlyArray<{ machine: { name: string; labels: Labels } }>,
): string | undefined {
  if (targets.length > rule.maxSessions) {
    return `a broadcast to ${targets.length} sessions (more than ${rule.maxSessions})`;
  }
  if (Object.keys(rule.labels).length === 0) return undefined;
  const sensitive = targets.find((target) => matchesLabels(target.machine.labels, rule.labels));
  return sensitive ? `a broadcast to ${sensitive.machine.name} (${formatLabels(rule.labels)})` : undefined;
}
