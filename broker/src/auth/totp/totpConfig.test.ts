import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { makeTotp, TOTP_PARAMS } from './totpConfig';

// RFC 6238 Appendix B: the seeds are ASCII digits repeated to the hash's key length.
const SEEDS = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;

const VECTORS: [seconds: number, codes: Record<keyof typeof SEEDS, string>][] = [
  [59, { SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' }],
  [1111111109, { SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' }],
  [1111111111, { SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' }],
  [1234567890, { SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' }],
  [2000000000, { SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' }],
  [20000000000, { SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' }],
];

describe('RFC 6238 Appendix B vectors through makeTotp', () => {
  for (const [seconds, codes] of VECTORS) {
    for (const algorithm of Object.keys(SEEDS) as (keyof typeof SEEDS)[]) {
      it(`${algorithm} at T=${seconds}`, () => {
        const totp = makeTotp(Secret.fromLatin1(SEEDS[algorithm]), 'rfc', { algorithm, digits: 8 });
        const timestamp = seconds * 1000;
        expect(totp.generate({ timestamp })).toBe(codes[algorithm]);
        expect(totp.validate({ token: codes[algorithm], timestamp, window: 0 })).toBe(0);
      });
    }
  }

  it('uses what every authenticator app supports: SHA-1, 6 digits, 30 s', () => {
    const totp = makeTotp(Secret.fromLatin1(SEEDS.SHA1), 'alice');
    expect([totp.algorithm, totp.digits, totp.period]).toEqual([
      TOTP_PARAMS.algorithm,
      TOTP_PARAMS.digits,
      TOTP_PARAMS.period,
    ]);
    // Truncation keeps the low digits: the 6-digit code is the 8-digit vector's tail.
    expect(totp.generate({ timestamp: 59_000 })).toBe('287082');
  });
});
