import type { AgentToBroker } from '../../common/protocol';

/**
 * The protocol bounds every message text at 1024 characters and the broker
 * answers a longer one with BAD_MESSAGE (ten of those close the link). Texts
 * built from config values (a list of login users, a shell path) can exceed
 * it, so every outgoing text is clamped here, a little below the bound.
 */
export const MAX_MESSAGE_TEXT = 1000;

/** `text` cut to `max` characters, the last one an ellipsis, never splitting a surrogate pair. */
export function clampText(text: string, max = MAX_MESSAGE_TEXT): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/** The message with its texts (`message`, `reason.message`) clamped; the same object when nothing is too long. */
export function clampOutgoing(message: AgentToBroker): AgentToBroker {
  let out = message;
  if ('message' in out && typeof out.message === 'string' && out.message.length > MAX_MESSAGE_TEXT) {
    out = { ...out, message: clampText(out.message) };
  }
  if ('reason' in out && out.reason && out.reason.message.length > MAX_MESSAGE_TEXT) {
    out = { ...out, reason: { ...out.reason, message: clampText(out.reason.message) } };
  }
  return out;
}
