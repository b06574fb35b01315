import { arch, hostname, platform } from 'node:os';
import { z } from 'zod';
import { isErrorCode, type ErrorCode } from '../../common/protocol';
import { err, ok, type Result } from '../../common/result';
import type { Credential } from './credential';
import { AGENT_VERSION } from './version';

const EnrolAnswer = z.object({
  machineId: z.string().min(1),
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  credential: z.string().startsWith('ftm_'),
});

const ErrorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface EnrolRefusal {
  /** A catalog code, or UNREACHABLE / BAD_ANSWER for failures before the broker could answer properly. */
  code: ErrorCode | 'UNREACHABLE' | 'BAD_ANSWER';
  message: string;
}

/** Exchanges a one-time enrolment token for the machine's credential. */
export async function enrol(httpBase: string, token: string): Promise<Result<Credential, EnrolRefusal>> {
  let response: Response;
  try {
    response = await fetch(`${httpBase}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, hostname: hostname(), os: platform(), arch: arch(), agentVersion: AGENT_VERSION }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return err({ code: 'UNREACHABLE', message: `cannot reach the broker at ${httpBase} (${cause})` });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const refusal = ErrorAnswer.safeParse(body);
    if (refusal.success && isErrorCode(refusal.data.error.code)) {
      return err({ code: refusal.data.error.code, message: refusal.data.error.message });
    }
    return err({ code: 'BAD_ANSWER', message: `the broker answered HTTP ${response.status} without an explanation` });
  }
  const answer = EnrolAnswer.safeParse(body);
  if (!answer.success)
    return err({ code: 'BAD_ANSWER', message: 'the broker answered the enrolment with something unexpected' });
  return ok({ ...answer.data, broker: httpBase, enrolledAt: new Date().toISOString() });
}
