import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/openSqliteStore';
import { SqlitePasskeyStore } from '../../store/sqlitePasskeyStore';
import type { SqliteStore } from '../../store/sqliteStore';
import { MAX_CHALLENGE_TTL_MS, PasskeyService, type PasskeyUser } from './passkeyService';
import { parseRelyingParty } from './relyingParty';
import { SoftAuthenticator, type RegisterKnobs } from './testing/softAuthenticator';

const ORIGIN = 'http://localhost:7420';
const T0 = Date.UTC(2025, 0, 1);
const alice: PasskeyUser = { id: 'u-alice', name: 'alice', displayName: 'Alice' };
const bob: PasskeyUser = { id: 'u-bob', name: 'bob', displayName: 'Bob' };

let dir: string;
let sqlite: SqliteStore;
let service: PasskeyService;
/** Users with a confirmed TOTP: the other way in. */
let withTotp: Set<string>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-passkey-service-'));
  sqlite = openSqliteStore(dir);
  const addUser = sqlite.db.prepare(
    "INSERT INTO users (id, name, display_name, role, created_at) VALUES (?, ?, ?, 'operator', ?)",
  );
  for (const user of [alice, bob]) addUser.run(user.id, user.name, user.displayName, T0);
  const rp = parseRelyingParty({ rpId: 'localhost', origins: [ORIGIN] });
  if (!rp.ok) throw rp.error;
  withTotp = new Set();
  service = new PasskeyService({
    rp: rp.value,
    store: new SqlitePasskeyStore(sqlite.db),
    hasOtherFactor: (userId) => withTotp.has(userId),
  });
});
afterEach(() => {
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Registers a passkey on `authenticator` and returns its credential id. */
async function register(authenticator: SoftAuthenticator, user = alice, name = 'laptop', knobs: RegisterKnobs = {}) {
  const options = await service.registrationOptions(user, T0);
  const result = await service.verifyRegistration(user.id, authenticator.register(options, knobs), name, T0 + 1);
  if (!result.ok) throw new Error(`registration refused: ${result.error.message}`);
  return result.value.id;
}

async function options(
  purpose: 'sign-in' | 'step-up',
  userId?: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const result = await service.authenticationOptions(purpose, userId, T0);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('passkey registration and username-less sign-in', () => {
  it('registers a discoverable, user-verified passkey and signs in with it without a user name', async () => {
    const authenticator = new SoftAuthenticator(ORIGIN);
    const creation = await service.registrationOptions(alice, T0);
    expect(creation).toMatchObject({
      rp: { id: 'localhost', name: 'Fleetterm' },
      user: { name: 'alice', displayName: 'Alice', id: Buffer.from('u-alice').toString('base64url') },
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const registered = await service.verifyRegistration(
      'u-alice',
      authenticator.register(creation),
      ' laptop ',
      T0 + 1,
    );
    expect(registered).toMatchObject({ ok: true, value: { name: 'laptop', createdAt: T0 + 1, lastUsedAt: null } });

    const request = await options('sign-in');
    expect(request).toMatchObject({ rpId: 'localhost', allowCredentials: [], userVerification: 'required' });
    const signedIn = await service.verifyAuthentication(authenticator.assert(request), 'sign-in', T0 + 2);
    const credentialId = [...authenticator.credentials.keys()][0];
    expect(signedIn).toEqual({ ok: true, value: { userId: 'u-alice', credentialId } });
    expect(service.listPasskeys('u-alice')).toMatchObject([{ id: credentialId, name: 'laptop', lastUsedAt: T0 + 2 }]);
  });

  it('excludes the passkeys a user already has, and refuses a credential id registered before', async () => {
    const authenticator = new SoftAuthenticator(ORIGIN);
    const first = authenticator.register(await service.registrationOptions(alice, T0));
    expect((await service.verifyRegistration('u-alice', first, 'laptop', T0)).ok).toBe(true);
    const again = await service.registrationOptions(alice, T0);
    expect(again.excludeCredentials).toEqual([{ id: first.id, transports: ['internal'], type: 'public-key' }]);
    expect(() => authenticator.register(again)).toThrow(/InvalidStateError/);

    // "none" attestation signs nothing, so anyone can replay alice's attested credential id under a new
    // challenge of their own: the store must refuse the duplicate.
    const bobs = await service.registrationOptions(bob, T0);
    const clientData = JSON.parse(Buffer.from(first.response.clientDataJSON, 'base64url').toString('utf8')) as object;
    const replay = {
      ...first,
      response: {
        ...first.response,
        clientDataJSON: Buffer.from(JSON.stringify({ ...clientData, challenge: bobs.challenge })).toString('base64url'),
      },
    };
    expect(await service.verifyRegistration('u-bob', replay, 'copy', T0)).toMatchObject({
      ok: false,
      error: { code: 'PASSKEY_EXISTS' },
    });
    expect(service.listPasskeys('u-bob')).toEqual([]);
  });

  it('refuses a response whose id is not the attested credential id', async () => {
    const response = new SoftAuthenticator(ORIGIN).register(await service.registrationOptions(alice, T0));
    response.id = response.rawId = Buffer.from('another id').toString('base64url');
    const result = await service.verifyRegistration('u-alice', response, 'k', T0);
    expect(result).toMatchObject({ ok: false, error: { code: 'PASSKEY_INVALID' } });
  });

  it('refuses a registration without user verification, from another origin, or not discoverable', async () => {
    const cases: [RegisterKnobs, string][] = [
      [{ uv: false }, 'USER_VERIFICATION_REQUIRED'],
      [{ origin: 'https://evil.example' }, 'PASSKEY_INVALID'],
      [{ rpId: 'evil.example' }, 'PASSKEY_INVALID'],
      [{ type: 'webauthn.get' }, 'PASSKEY_INVALID'],
      [{ discoverable: false }, 'PASSKEY_NOT_DISCOVERABLE'],
    ];
    for (const [knobs, code] of cases) {
      const creation = await service.registrationOptions(alice, T0);
      const result = await service.verifyRegistration(
        'u-alice',
        new SoftAuthenticator(ORIGIN).register(creation, knobs),
        'k',
        T0,
      );
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(knobs)).toBe(code);
    }
    expect(service.listPasskeys('u-alice')).toEqual([]);
  });

  it("refuses a registration answered for another user's challenge, or with a bad name", async () => {
    const creation = await service.registrationOptions(alice, T0);
    const response = new SoftAuthenticator(ORIGIN).register(creation);
    expect(await service.verifyRegistration('u-alice', response, '   ', T0)).toMatchObject({
      ok: false,
      error: { code: 'PASSKEY_NAME_INVALID' },
    });
    expect(await service.verifyRegistration('u-bob', response, 'k', T0)).toMatchObject({
      ok: false,
      error: { code: 'CHALLENGE_UNKNOWN' },
    });
  });
});

describe('several passkeys per user', () => {
  it('have names, can be renamed, and the last one stays unless there is another way in', async () => {
    const authenticator = new SoftAuthenticator(ORIGIN);
    const laptop = await register(authenticator, alice, 'laptop');
    const phone = await register(new SoftAuthenticator(ORIGIN), alice, 'phone');
    const bobs = await register(new SoftAuthenticator(ORIGIN), bob, 'bob key');
    expect(service.listPasskeys('u-alice').map((p) => p.name)).toEqual(['laptop', 'phone']);

    expect(service.renamePasskey('u-alice', phone, 'work phone')).toEqual({ ok: true, value: undefined });
    expect(service.renamePasskey('u-alice', phone, 'x'.repeat(65))).toMatchObject({
      error: { code: 'PASSKEY_NAME_INVALID' },
    });
    expect(service.renamePasskey('u-alice', bobs, 'stolen')).toMatchObject({ error: { code: 'PASSKEY_UNKNOWN' } });
    expect(service.listPasskeys('u-alice').map((p) => p.name)).toEqual(['laptop', 'work phone']);

    expect(service.removePasskey('u-alice', bobs)).toMatchObject({ error: { code: 'PASSKEY_UNKNOWN' } });
    expect(service.removePasskey('u-alice', phone)).toEqual({ ok: true, value: undefined });
    const last = service.removePasskey('u-alice', laptop);
    expect(last).toMatchObject({ ok: false, error: { code: 'PASSKEY_LAST' } });
    expect(!last.ok && last.error.message).toMatch(/only way to sign in/);
    withTotp.add('u-alice');
    expect(service.removePasskey('u-alice', laptop)).toEqual({ ok: true, value: undefined });

    // A removed passkey no longer signs in.
    const result = await service.verifyAuthentication(authenticator.assert(await options('sign-in')), 'sign-in', T0);
    expect(result).toMatchObject({ ok: false, error: { code: 'PASSKEY_UNKNOWN' } });
  });
});

describe('refused authentications', () => {
  let authenticator: SoftAuthenticator;
  beforeEach(async () => {
    authenticator = new SoftAuthenticator(ORIGIN);
    await register(authenticator);
  });

  async function refusalOf(
    purpose: 'sign-in' | 'step-up',
    knobs: Parameters<SoftAuthenticator['assert']>[1],
    now = T0,
  ) {
    const request = await options(purpose, purpose === 'step-up' ? 'u-alice' : undefined);
    const result = await service.verifyAuthentication(authenticator.assert(request, knobs), purpose, now, 'u-alice');
    return result.ok ? { code: 'OK', message: '' } : result.error;
  }

  it('a challenge the broker never issued', async () => {
    const challenge = Buffer.from('made up by the client').toString('base64url');
    expect((await refusalOf('sign-in', { challenge })).code).toBe('CHALLENGE_UNKNOWN');
  });

  it('another origin, keeping the reason', async () => {
    const { code, message } = await refusalOf('sign-in', { origin: 'https://evil.example' });
    expect(code).toBe('PASSKEY_INVALID');
    expect(message).toMatch(/origin "https:\/\/evil\.example"/);
  });

  it('another RP ID', async () => {
    const { code, message } = await refusalOf('sign-in', { rpId: 'evil.example' });
    expect(code).toBe('PASSKEY_INVALID');
    expect(message).toMatch(/RP ID/);
  });

  it('a registration response type (webauthn.create) used to sign in', async () => {
    const { code, message } = await refusalOf('step-up', { type: 'webauthn.create' });
    expect(code).toBe('PASSKEY_INVALID');
    expect(message).toMatch(/webauthn\.create/);
  });

  it('a reused challenge', async () => {
    const response = authenticator.assert(await options('sign-in'));
    expect((await service.verifyAuthentication(response, 'sign-in', T0)).ok).toBe(true);
    expect(await service.verifyAuthentication(response, 'sign-in', T0)).toMatchObject({
      ok: false,
      error: { code: 'CHALLENGE_UNKNOWN' },
    });
  });

  it('an expired challenge', async () => {
    expect((await refusalOf('sign-in', {}, T0 + MAX_CHALLENGE_TTL_MS)).code).toBe('CHALLENGE_EXPIRED');
    expect((await refusalOf('sign-in', {}, T0 + MAX_CHALLENGE_TTL_MS - 1)).code).toBe('OK');
  });

  it('a challenge issued for another purpose or user', async () => {
    const signIn = authenticator.assert(await options('sign-in'));
    expect(await service.verifyAuthentication(signIn, 'step-up', T0, 'u-alice')).toMatchObject({
      error: { code: 'CHALLENGE_UNKNOWN' },
    });
    const stepUp = authenticator.assert(await options('step-up', 'u-alice'));
    expect(await service.verifyAuthentication(stepUp, 'step-up', T0, 'u-bob')).toMatchObject({
      error: { code: 'CHALLENGE_UNKNOWN' },
    });
  });

  it('missing user verification', async () => {
    const { code, message } = await refusalOf('step-up', { uv: false });
    expect(code).toBe('USER_VERIFICATION_REQUIRED');
    expect(message).toMatch(/PIN or biometrics/);
  });

  it("another user's passkey at step-up", async () => {
    const bobsKey = await register(authenticator, bob, 'bob key');
    expect((await refusalOf('step-up', { credentialId: bobsKey })).code).toBe('PASSKEY_NOT_YOURS');
  });

  it('a counter that does not grow (a possible clone), while zero counters on both sides pass', async () => {
    expect((await refusalOf('sign-in', {})).code).toBe('OK'); // counter 1
    expect((await refusalOf('sign-in', { counter: 1 })).code).toBe('PASSKEY_COUNTER');
    expect((await refusalOf('sign-in', { counter: 0 })).code).toBe('PASSKEY_COUNTER');
    expect((await refusalOf('sign-in', { counter: 7 })).code).toBe('OK');

    const synced = new SoftAuthenticator(ORIGIN);
    await register(synced, bob, 'synced', { countStep: 0 });
    for (let i = 0; i < 2; i++) {
      const result = await service.verifyAuthentication(synced.assert(await options('sign-in')), 'sign-in', T0);
      expect(result).toMatchObject({ ok: true, value: { userId: 'u-bob' } });
    }
  });

  it('a forged signature, and junk instead of a response, without throwing', async () => {
    const response = authenticator.assert(await options('sign-in'));
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 1;
    response.response.signature = signature.toString('base64url');
    expect(await service.verifyAuthentication(response, 'sign-in', T0)).toMatchObject({
      error: { code: 'PASSKEY_INVALID' },
    });
    for (const junk of [null, 'x', { response: { clientDataJSON: 42 } }, { response: { clientDataJSON: 'e30' } }]) {
      expect(await service.verifyAuthentication(junk, 'sign-in', T0)).toMatchObject({
        error: { code: 'PASSKEY_INVALID' },
      });
    }
  });
});

describe('step-up options', () => {
  it("list only the user's own passkeys, and refuse a user without one", async () => {
    const aliceKey = await register(new SoftAuthenticator(ORIGIN));
    await register(new SoftAuthenticator(ORIGIN), bob, 'bob key');
    expect((await options('step-up', 'u-alice')).allowCredentials).toEqual([
      { id: aliceKey, transports: ['internal'], type: 'public-key' },
    ]);
    const none = await service.authenticationOptions('step-up', 'nobody', T0);
    expect(none).toMatchObject({ ok: false, error: { code: 'NO_PASSKEYS' } });
  });
});
