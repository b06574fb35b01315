import type { z } from 'zod';
import { err, ok, type Result } from '../result';
import { MAX_CONTROL_MESSAGE_CHARS } from './limits';
import { AgentToBroker, BrokerToAgent, BrokerToConsole, ConsoleToBroker } from './messages';

export interface MessageError {
  code: 'BAD_MESSAGE' | 'FRAME_TOO_LARGE';
  message: string;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'message'}: ${issue.message}`)
    .join('; ');
}

function decoderFor<S extends z.ZodType>(schema: S) {
  return (text: string): Result<z.infer<S>, MessageError> => {
    if (text.length > MAX_CONTROL_MESSAGE_CHARS) {
      return err({
        code: 'FRAME_TOO_LARGE',
        message: `control message of ${text.length} characters exceeds ${MAX_CONTROL_MESSAGE_CHARS}`,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return err({ code: 'BAD_MESSAGE', message: 'control message is not valid JSON' });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return err({ code: 'BAD_MESSAGE', message: describeIssues(parsed.error) });
    return ok(parsed.data);
  };
}

/** Decoders for each direction. They never throw: bad text gives a MessageError. */
export const decodeConsoleToBroker = decoderFor(ConsoleToBroker);
export const decodeBrokerToConsole = decoderFor(BrokerToConsole);
export const decodeBrokerToAgent = decoderFor(BrokerToAgent);
export const decodeAgentToBroker = decoderFor(AgentToBroker);

/** Control messages are plain JSON text frames. */
export function encodeMessage(message: { type: string }): string {
  return JSON.stringify(message);
}
