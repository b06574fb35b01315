import { createHash, randomInt } from 'node:crypto';

/** How many codes a user gets at once: enough for a year of lost phones, few enough to print. */
export const RECOVERY_CODE_COUNT = 10;

// Crockford's base32 alphabet: no i, l, o or u, so a code read aloud or from paper is not misread.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 3;
const GROUP_LENGTH = 4; // 12 characters of 5 bits: 60 bits, beyond guessing through a rate-limited endpoint

/** One code like `7k2m-q9xd-4hbe`, from the CSPRNG. */
export function generateRecoveryCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, generateRecoveryCode);
}

/**
 * The canonical form of a typed code: case, dashes and spaces do not matter, and the letters Crockford
 * reads as digits (i and l as 1, o as 0) are read so. Undefined when it cannot be a recovery code.
 */
export function normaliseRecoveryCode(typed: string): string | undefined {
  const code = typed.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  const pattern = new RegExp(`^[${ALPHABET}]{${GROUPS * GROUP_LENGTH}}$`);
  return pattern.test(code) ? code : undefined;
}

/** What the store keeps: SHA-256 of the normalised code, hex. 60 random bits need no salt or slow KDF. */
export function hashRecoveryCode(normalised: string): string {
  return createHash('sha256').update(`fleetterm-recovery:${normalised}`, 'utf8').digest('hex');
}
