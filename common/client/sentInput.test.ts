import { describe, expect, it } from 'vitest';
import { SentInput } from './sentInput';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (chunks: Uint8Array[] | undefined) => chunks && new TextDecoder().decode(Buffer.concat(chunks));

describe('SentInput', () => {
  it('returns what was sent after an offset', () => {
    const sent = new SentInput(1024);
    sent.record(bytes('echo '));
    sent.record(bytes('hi\r'));
    expect(sent.total).toBe(8);
    expect(text(sent.since(3))).toBe('o hi\r');
    expect(text(sent.since(8))).toBe('');
  });

  it('keeps only about `keep` bytes, and says when an offset is no longer kept', () => {
    const sent = new SentInput(4);
    for (const part of ['ab', 'cd', 'ef', 'gh']) sent.record(bytes(part));
    expect(sent.since(0)).toBeUndefined();
    expect(text(sent.since(5))).toBe('fgh');
  });

  it('refuses an offset beyond what it sent, and takes the agent’s count on rebase', () => {
    const sent = new SentInput(64);
    sent.record(bytes('abc'));
    expect(sent.since(10)).toBeUndefined();
    sent.rebase(10);
    sent.record(bytes('x'));
    expect(sent.total).toBe(11);
    expect(text(sent.since(10))).toBe('x');
  });
});
