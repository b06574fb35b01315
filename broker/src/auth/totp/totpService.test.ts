import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/openSqliteStore';
import type { SqliteStore } from '../../store/sqliteStore';
import { SqliteTotpStore } from '../../store/sqliteTotpStore';
import { hashRecoveryCode, normaliseRecoveryCode } from './recoveryCodes';
import { SecretBox } from './secretBox';
import { makeTotp, totpSecretContext } from './totpConfig';
import { TotpService, type TotpServiceOptions } from './totpService';

const STEP = 30_000;
/** The middle of a step, so ±n steps are whole steps away from a boundary. */
const NOW = 58_333_333 * STEP + STEP / 2;

let dir: string;
let store: SqliteStore;
let box: SecretBox;

function service(options: TotpServiceOptions = {}): TotpService {
  return new TotpService(new SqliteTotpStore(store.db), box, options);
}

const codeAt = (secret: string, timestamp: number): string =>
  makeTotp(Secret.fromBase32(secret), '').generate({ timestamp });

function addUser(id: string): void {
  store.db.prepare("INSERT INTO users (id, name, role, created_at) VALUES (?, ?, 'operator', ?)").run(id, id, NOW);
}

/** Enrols with a code from two steps before NOW, so the codes around NOW are all still unused. */
async function enrolled(totp: TotpService, userId = 'alice'): Promise<{ secret: string; recoveryCodes: string[] }> {
  const begun = await totp.begin(userId, userId);
  if (!begun.ok) throw new Error(begun.error.message);
  const confirmed = totp.confirm(userId, codeAt(begun.value.secret, NOW - 2 * STEP), NOW - 2 * STEP);
  if (!confirmed.ok) throw new Error(confirmed.error.message);
  return { secret: begun.value.secret, recoveryCodes: confirmed.value.recoveryCodes };
}

/** Everything SQLite wrote for the database: the main file and its WAL. */
function databaseBytes(): string {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  return readdirSync(dir)
    .filter((name) => name.startsWith('fleetterm.db'))
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-totp-'));
  store = openSqliteStore(dir);
  box = SecretBox.loadOrCreate(dir);
  addUser('alice');
  addUser('bob');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('enrolment', () => {
  it('gives a base32 secret, an otpauth URI for SHA-1/6 digits/30 s, and a QR code', async () => {
    const begun = await service().begin('alice', 'alice@example.com');
    expect(begun.ok).toBe(true);
    if (!begun.ok) return;
    const { secret, uri, qrSvg } = begun.value;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(uri);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('otpauth://totp/Fleetterm:alice%40example.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      issuer: 'Fleetterm',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect(qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(service().status('alice', NOW)).toMatchObject({ enrolled: false, pending: true });
  });

  it('stores the secret sealed, not in plain text anywhere in the database', async () => {
    const { secret } = await enrolled(service());
    const row = store.db.prepare('SELECT secret_encrypted FROM totp WHERE user_id = ?').get('alice') as {
      secret_encrypted: string;
    };
    expect(row.secret_encrypted).toMatch(/^v1\./);
    expect(row.secret_encrypted).not.toContain(secret);
    expect(box.open(row.secret_encrypted, totpSecretContext('alice'))).toBe(secret);
    expect(databaseBytes()).not.toContain(secret);
  });

  it('is confirmed by a current code, which then cannot be used again', async () => {
    const totp = service();
    const begun = await totp.begin('alice', 'alice');
    if (!begun.ok) throw new Error('begin failed');
    expect(totp.verify('alice', codeAt(begun.value.secret, NOW), NOW).ok).toBe(false);
    const wrong = totp.confirm('alice', '000000' === codeAt(begun.value.secret, NOW) ? '111111' : '000000', NOW);
    expect(!wrong.ok && wrong.error.code).toBe('TOTP_INVALID');
    expect(totp.status('alice', NOW).failures).toBe(0); // setting up does not count towards the lock
    const confirmed = totp.confirm('alice', codeAt(begun.value.secret, NOW), NOW);
    expect(confirmed.ok && confirmed.value.recoveryCodes).toHaveLength(10);
    expect(totp.status('alice', NOW)).toMatchObject({ enrolled: true, pending: false, confirmedAt: NOW });
    const replay = totp.verify('alice', codeAt(begun.value.secret, NOW), NOW);
    expect(!replay.ok && replay.error.code).toBe('TOTP_REPLAYED');
  });

  it('replaces a pending secret, but a confirmed one only when asked', async () => {
    const totp = service();
    const first = await totp.begin('alice', 'alice');
    const second = await totp.begin('alice', 'alice');
    if (!first.ok || !second.ok) throw new Error('begin failed');
    expect(second.value.secret).not.toBe(first.value.secret);
    const stale = totp.confirm('alice', codeAt(first.value.secret, NOW), NOW);
    expect(!stale.ok && stale.error.code).toBe('TOTP_INVALID');
    expect(totp.confirm('alice', codeAt(second.value.secret, NOW), NOW).ok).toBe(true);

    const again = await totp.begin('alice', 'alice');
    expect(!again.ok && again.error.code).toBe('TOTP_ALREADY_ENROLLED');
    const replaced = await totp.begin('alice', 'alice', { replace: true });
    expect(replaced.ok).toBe(true);
    const old = totp.verify('alice', codeAt(second.value.secret, NOW + STEP), NOW + STEP);
    expect(!old.ok && old.error.code).toBe('TOTP_NOT_ENROLLED');
  });

  it('is removed with its recovery codes', async () => {
    const totp = service();
    const { secret, recoveryCodes } = await enrolled(totp);
    expect(totp.remove('alice')).toBe(true);
    expect(totp.remove('alice')).toBe(false);
    const refused = totp.verify('alice', codeAt(secret, NOW), NOW);
    expect(!refused.ok && refused.error).toMatchObject({ code: 'TOTP_NOT_ENROLLED', message: /passkey/ });
    expect(totp.useRecoveryCode('alice', recoveryCodes[0] as string, NOW).ok).toBe(false);
    expect(totp.status('alice', NOW)).toMatchObject({ enrolled: false, pending: false, recoveryCodesLeft: 0 });
  });
});

describe('verification', () => {
  it('passes the RFC 6238 SHA-1 vector through the service (6-digit tail of 94287082 at T=59)', () => {
    const secret = Secret.fromLatin1('12345678901234567890').base32;
    const totpStore = new SqliteTotpStore(store.db);
    totpStore.putPendingTotp('alice', box.seal(secret, totpSecretContext('alice')));
    const sealed = totpStore.getTotp('alice')?.secretEncrypted as string;
    totpStore.confirmTotp('alice', { secretEncrypted: sealed, step: 0, now: 0, recoveryCodeHashes: [] });
    expect(service().verify('alice', '287082', 59_000)).toEqual({ ok: true, value: { step: 1 } });
  });

  it('accepts one step of clock skew either way and refuses two', async () => {
    for (const [skew, accepted] of [
      [-1, true],
      [0, true],
      [1, true],
      [-2, false],
      [2, false],
    ] as const) {
      const totp = service();
      const { secret } = await enrolled(totp);
      const result = totp.verify('alice', codeAt(secret, NOW + skew * STEP), NOW);
      expect(result.ok, `skew ${skew}`).toBe(accepted);
      if (!result.ok) expect(result.error).toMatchObject({ code: 'TOTP_INVALID', message: /check the clock/ });
      totp.remove('alice');
    }
  });

  it('refuses the same code twice, and an older step after a newer one', async () => {
    const totp = service();
    const { secret } = await enrolled(totp);
    expect(totp.verify('alice', codeAt(secret, NOW), NOW).ok).toBe(true);
    const same = totp.verify('alice', codeAt(secret, NOW), NOW);
    expect(!same.ok && same.error).toMatchObject({ code: 'TOTP_REPLAYED', message: /wait for the next/ });
    expect(totp.verify('alice', codeAt(secret, NOW + STEP), NOW).ok).toBe(true);
    const older = totp.verify('alice', codeAt(secret, NOW - STEP), NOW);
    expect(!older.ok && older.error.code).toBe('TOTP_REPLAYED');
  });

  it('ignores spaces in a code and refuses input that is not a code', async () => {
    const totp = service();
    const { secret } = await enrolled(totp);
    const code = codeAt(secret, NOW);
    for (const junk of ['', 'abcdef', '1234567', 'x'.repeat(10_000)]) {
      const refused = totp.verify('alice', junk, NOW);
      expect(!refused.ok && refused.error.code).toBe('TOTP_INVALID');
    }
    expect(totp.verify('alice', `${code.slice(0, 3)} ${code.slice(3)}`, NOW).ok).toBe(true);
  });

  it('keeps users apart', async () => {
    const totp = service();
    const { secret } = await enrolled(totp, 'alice');
    await enrolled(totp, 'bob');
    expect(totp.verify('bob', codeAt(secret, NOW), NOW).ok).toBe(false);
    // Alice's sealed secret copied into Bob's row does not open there.
    store.db
      .prepare(
        'UPDATE totp SET secret_encrypted = (SELECT secret_encrypted FROM totp WHERE user_id = ?) WHERE user_id = ?',
      )
      .run('alice', 'bob');
    const moved = totp.verify('bob', codeAt(secret, NOW), NOW);
    expect(!moved.ok && moved.error.code).toBe('TOTP_UNREADABLE');
  });

  it('refuses a secret whose ciphertext was changed in the database', async () => {
    const totp = service();
    const { secret } = await enrolled(totp);
    const { secret_encrypted: sealed } = store.db.prepare('SELECT secret_encrypted FROM totp').get() as {
      secret_encrypted: string;
    };
    // The ciphertext's first character: 6 bits that all decode (a final character may carry unused bits).
    const parts = sealed.split('.');
    parts[3] = ((parts[3] as string).startsWith('A') ? 'B' : 'A') + (parts[3] as string).slice(1);
    store.db.prepare('UPDATE totp SET secret_encrypted = ?').run(parts.join('.'));
    const refused = totp.verify('alice', codeAt(secret, NOW), NOW);
    expect(!refused.ok && refused.error).toMatchObject({ code: 'TOTP_UNREADABLE', message: /set up the app again/ });
  });
});

describe('lockout', () => {
  const LOCK_MS = 10 * 60_000;

  it('locks after the configured failures, refuses even the right code, and releases after the period', async () => {
    const totp = service({ maxFailures: 3, lockMs: LOCK_MS });
    const { secret } = await enrolled(totp);
    const wrong = codeAt(secret, NOW) === '000000' ? '111111' : '000000';
    const first = totp.verify('alice', wrong, NOW);
    expect(!first.ok && first.error).toMatchObject({ code: 'TOTP_INVALID', attemptsLeft: 2 });
    expect(totp.verify('alice', wrong, NOW).ok).toBe(false);
    const third = totp.verify('alice', wrong, NOW);
    expect(!third.ok && third.error).toMatchObject({ code: 'TOTP_LOCKED', until: NOW + LOCK_MS });

    const during = NOW + LOCK_MS - 1;
    const right = totp.verify('alice', codeAt(secret, during), during);
    expect(!right.ok && right.error).toMatchObject({
      code: 'TOTP_LOCKED',
      until: NOW + LOCK_MS,
      message: /recovery code/,
    });
    expect(totp.status('alice', during).lockedUntil).toBe(NOW + LOCK_MS);

    const after = NOW + LOCK_MS;
    expect(totp.status('alice', after).lockedUntil).toBeNull();
    expect(totp.verify('alice', codeAt(secret, after), after).ok).toBe(true);
  });

  it('uses 5 failures and 15 minutes by default', async () => {
    const totp = service();
    const { secret } = await enrolled(totp);
    const wrong = codeAt(secret, NOW) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) expect(totp.verify('alice', wrong, NOW).ok).toBe(false);
    const fifth = totp.verify('alice', wrong, NOW);
    expect(!fifth.ok && fifth.error).toMatchObject({ code: 'TOTP_LOCKED', until: NOW + 15 * 60_000 });
  });

  it('counts replays as failures, and starts again after a success', async () => {
    const totp = service({ maxFailures: 3 });
    const { secret } = await enrolled(totp);
    const wrong = codeAt(secret, NOW) === '000000' ? '111111' : '000000';
    expect(totp.verify('alice', codeAt(secret, NOW - STEP), NOW).ok).toBe(true);
    expect(totp.verify('alice', codeAt(secret, NOW - STEP), NOW).ok).toBe(false);
    expect(totp.verify('alice', wrong, NOW).ok).toBe(false);
    expect(totp.status('alice', NOW).failures).toBe(2);
    expect(totp.verify('alice', codeAt(secret, NOW), NOW).ok).toBe(true);
    expect(totp.status('alice', NOW).failures).toBe(0);
    const again = totp.verify('alice', wrong, NOW);
    expect(!again.ok && again.error).toMatchObject({ code: 'TOTP_INVALID', attemptsLeft: 2 });
  });
});

describe('recovery codes', () => {
  it('work once each, whatever the case, dashes and spaces', async () => {
    const totp = service();
    const { recoveryCodes } = await enrolled(totp);
    const [first, second] = recoveryCodes as [string, string];
    expect(totp.useRecoveryCode('alice', first, NOW)).toEqual({ ok: true, value: { remaining: 9 } });
    const reused = totp.useRecoveryCode('alice', first, NOW);
    expect(!reused.ok && reused.error.code).toBe('RECOVERY_CODE_INVALID');
    const typed = ` ${second.toUpperCase().replace(/-/g, ' ')} `;
    expect(totp.useRecoveryCode('alice', typed, NOW)).toEqual({ ok: true, value: { remaining: 8 } });
    expect(totp.useRecoveryCode('bob', recoveryCodes[2] as string, NOW).ok).toBe(false);
    expect(totp.useRecoveryCode('alice', 'not a code', NOW).ok).toBe(false);
    expect(totp.status('alice', NOW).recoveryCodesLeft).toBe(8);
  });

  it('are stored only as hashes', async () => {
    const { recoveryCodes } = await enrolled(service());
    const hashes = (store.db.prepare('SELECT hash FROM recovery_codes').all() as { hash: string }[]).map((r) => r.hash);
    expect(hashes.sort()).toEqual(
      recoveryCodes.map((c) => hashRecoveryCode(normaliseRecoveryCode(c) as string)).sort(),
    );
    const bytes = databaseBytes();
    for (const code of recoveryCodes) {
      expect(bytes).not.toContain(code);
      expect(bytes).not.toContain(normaliseRecoveryCode(code));
    }
  });

  it('end a lock', async () => {
    const totp = service({ maxFailures: 1 });
    const { secret, recoveryCodes } = await enrolled(totp);
    expect(totp.verify('alice', codeAt(secret, NOW) === '000000' ? '111111' : '000000', NOW).ok).toBe(false);
    expect(totp.status('alice', NOW).lockedUntil).not.toBeNull();
    expect(totp.useRecoveryCode('alice', recoveryCodes[0] as string, NOW).ok).toBe(true);
    expect(totp.verify('alice', codeAt(secret, NOW), NOW).ok).toBe(true);
  });

  it('are replaced by a new set', async () => {
    const totp = service();
    const { recoveryCodes } = await enrolled(totp);
    const fresh = totp.regenerateRecoveryCodes('alice', NOW);
    expect(fresh.ok && fresh.value).toHaveLength(10);
    expect(totp.useRecoveryCode('alice', recoveryCodes[0] as string, NOW).ok).toBe(false);
    expect(fresh.ok && totp.useRecoveryCode('alice', fresh.value[0] as string, NOW).ok).toBe(true);
    const none = totp.regenerateRecoveryCodes('bob', NOW);
    expect(!none.ok && none.error.code).toBe('TOTP_NOT_ENROLLED');
  });
});
