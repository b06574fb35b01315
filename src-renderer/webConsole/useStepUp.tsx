import { useCallback, useRef, useState, type ReactNode } from 'react';
import { STEP_UP_REQUIRED } from './accountApi';
import type { ApiResult } from './brokerApi';
import { StepUpPrompt, type StepUpElsewhere } from './StepUpPrompt';

/** What `guard` answers when the person closed the prompt: nothing was changed. */
export const STEP_UP_CANCELLED = 'STEP_UP_CANCELLED';

interface Pending {
  reason: string;
  settle: (confirmed: boolean) => void;
}

/**
 * Runs sensitive calls through the step-up: `guard(call)` makes the call, and
 * when the broker answers STEP_UP_REQUIRED shows the prompt (`prompt`, to be
 * rendered by the caller) and makes the call once more after a check. Later
 * screens (opening a terminal, a wide broadcast) use it the same way.
 */
export function useStepUp(
  accessToken: string,
  offerCode: boolean,
  elsewhere?: StepUpElsewhere,
): {
  guard: <T>(call: () => Promise<ApiResult<T>>) => Promise<ApiResult<T>>;
  /** Shows the prompt with the broker's reason (a refusal that came another way, like a broadcast frame); true once confirmed. */
  ask: (reason: string) => Promise<boolean>;
  prompt: ReactNode;
} {
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  // A second guarded call while the prompt is open waits for the same answer.
  const waiting = useRef<Promise<boolean> | undefined>(undefined);

  const ask = useCallback((reason: string): Promise<boolean> => {
    waiting.current ??= new Promise<boolean>((resolve) => {
      setPending({
        reason,
        settle: (confirmed) => {
          waiting.current = undefined;
          setPending(undefined);
          resolve(confirmed);
        },
      });
    });
    return waiting.current;
  }, []);

  const guard = useCallback(
    async <T,>(call: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> => {
      const first = await call();
      if (first.ok || first.error.code !== STEP_UP_REQUIRED) return first;
      if (!(await ask(first.error.message))) {
        return { ok: false, error: { code: STEP_UP_CANCELLED, message: 'Cancelled: nothing was changed.' } };
      }
      return call();
    },
    [ask],
  );

  const prompt = pending ? (
    <StepUpPrompt
      accessToken={accessToken}
      reason={pending.reason}
      offerCode={offerCode}
      elsewhere={elsewhere}
      onConfirmed={() => pending.settle(true)}
      onCancel={() => pending.settle(false)}
    />
  ) : null;
  return { guard, ask, prompt };
}
