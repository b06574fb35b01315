import { z } from 'zod';
import { formatDuration } from '../../../common/duration';
import { broadcastStepUpReason } from '../relay/broadcastStepUp';
import type { Handler } from './apiHandler';
import { HttpError } from './httpError';
import { readJsonBody } from './readJsonBody';

const CheckBody = z.object({
  /** The machine of each session the broadcast would reach (a name may repeat: two panes on one machine). */
  machines: z.array(z.string().min(1).max(64)).min(1).max(1000),
});

/**
 * Lets a console ask before arming broadcast whether the broker will want a
 * step-up for it, with the same rule the relay applies to the frames (a
 * wide broadcast, or one reaching a sensitive label). The console then asks
 * for the passkey once, up front, instead of refusing the first keystroke.
 */
export const BROADCAST_ROUTES: Record<string, Record<string, Handler>> = {
  '/api/v1/broadcast/check': {
    POST: async (req, deps) => {
      const operator = deps.requireOperator(req);
      const parsed = CheckBody.safeParse(await readJsonBody(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(400, 'BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
      }
      const targets = parsed.data.machines.map((name) => ({
        machine: { name, labels: deps.store.findMachineByName(name)?.labels ?? {} },
      }));
      const reason = broadcastStepUpReason(deps.broadcastStepUp, targets);
      if (!reason) return { stepUp: 'not-needed' };
      if (deps.terminalAccess.stepUpFresh(operator)) return { stepUp: 'fresh' };
      throw new HttpError(
        403,
        'STEP_UP_REQUIRED',
        `${reason} needs a passkey check within the last ${formatDuration(deps.terminalAccess.stepUpWindowMs)}`,
      );
    },
  },
};
