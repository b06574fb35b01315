import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recoveryCodes';

describe('recovery codes', () => {
  it('are ten distinct xxxx-xxxx-xxxx codes', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  });

  it('read the same whatever the case, dashes, spaces, or letters misread as digits', () => {
    expect(normaliseRecoveryCode(' 7K2M-Q9XD 4HBE ')).toBe('7k2mq9xd4hbe');
    expect(normaliseRecoveryCode('1k2m-q9xd-00be')).toBe(normaliseRecoveryCode('Ik2m-q9xd-oObe'));
    expect(normaliseRecoveryCode('7k2mq9xd4hb')).toBeUndefined();
    expect(normaliseRecoveryCode('7k2m-q9xd-4hbu')).toBeUndefined();
  });

  it('hash to hex SHA-256 that does not contain the code', () => {
    const hash = hashRecoveryCode('7k2mq9xd4hbe');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('7k2mq9xd4hbe');
  });
});
