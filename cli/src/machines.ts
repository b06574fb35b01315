import { z } from 'zod';
import { err, ok, type Result } from '../../common/result';

/**
 * A machine as `GET /api/v1/machines` lists it. Only `name`, `online` and
 * `labels` are required for the commands to work; the rest is shown when present.
 */
export const MachineInfo = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()).default({}),
  os: z.string().nullish(),
  arch: z.string().nullish(),
  hostname: z.string().nullish(),
  online: z.boolean(),
  lastSeen: z.string().nullish(),
  sessions: z.number().nullish(),
});
export type MachineInfo = z.infer<typeof MachineInfo>;

const MachinesResponse = z.object({ machines: z.array(MachineInfo) });

/** Validates the broker's answer; the raw document is kept for `ls --json`. */
export function parseMachines(body: unknown): Result<MachineInfo[], string> {
  const parsed = MachinesResponse.safeParse(body);
  if (parsed.success) return ok(parsed.data.machines);
  const issue = parsed.error.issues[0];
  return err(
    `the broker's machine list is not in the expected form (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
  );
}
