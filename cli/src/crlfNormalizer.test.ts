import { describe, expect, it } from 'vitest';
import { CrlfNormalizer } from './crlfNormalizer';

const run = (chunks: string[]) => {
  const n = new CrlfNormalizer();
  const out = chunks.map((c) => Buffer.from(n.push(new Uint8Array(Buffer.from(c)))).toString());
  return out.join('') + Buffer.from(n.flush()).toString();
};

describe('CrlfNormalizer', () => {
  it('turns \\r\\n into \\n, also across chunks', () => {
    expect(run(['a\r\nb\r', '\nc'])).toBe('a\nb\nc');
  });

  it('keeps a \\r that is not followed by \\n', () => {
    expect(run(['50%\r', '100%\r'])).toBe('50%\r100%\r');
  });
});
