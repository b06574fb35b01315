import { describe, expect, it } from 'vitest';
import { decodeAgentToBroker, encodeMessage } from '../../common/protocol';
import { clampOutgoing, clampText, MAX_MESSAGE_TEXT } from './outgoingMessage';

describe('clampOutgoing', () => {
  it('leaves texts within the bound alone', () => {
    const message = { type: 'error', code: 'FORBIDDEN', message: 'no', channel: 1 } as const;
    expect(clampOutgoing(message)).toBe(message);
  });

  it('cuts an error message and an exit reason to 1000 characters ending in …, which the broker accepts', () => {
    const long = 'x'.repeat(5000);
    const error = clampOutgoing({ type: 'error', code: 'SPAWN_FAILED', message: long, channel: 2 });
    const exit = clampOutgoing({
      type: 'exit',
      channel: 2,
      code: null,
      signal: 'SIGHUP',
      reason: { code: 'IDLE_TIMEOUT', message: long },
      offset: 0,
    });
    for (const message of [error, exit]) {
      const decoded = decodeAgentToBroker(encodeMessage(message));
      expect(decoded.ok).toBe(true);
    }
    expect(error).toMatchObject({ message: `${'x'.repeat(MAX_MESSAGE_TEXT - 1)}…` });
    expect(exit).toMatchObject({ reason: { code: 'IDLE_TIMEOUT', message: expect.stringMatching(/^x{999}…$/) } });
  });

  it('does not split a surrogate pair', () => {
    const clamped = clampText(`${'a'.repeat(998)}😀😀`);
    expect(clamped).toBe(`${'a'.repeat(998)}…`);
  });
});
