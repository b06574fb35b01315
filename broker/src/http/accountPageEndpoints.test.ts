import { Secret } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import type { SoftAuthenticator } from '../auth/passkeys/testing/softAuthenticator';
import { makeTotp } from '../auth/totp/totpConfig';
import { authenticatorFor, confirmWithPasskey, get, post, signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
let clock: number;
afterEach(() => t.close());

/** The default step-up window is 5 minutes: this is past it. */
const PAST_WINDOW_MS = 6 * 60_000;

async function start() {
  clock = Date.UTC(2026, 10, 23, 12, 0, 0);
  t = await TestBroker.start({ now: () => clock });
}

interface Overview {
  user: { name: string };
  passkeys: { id: string; name: string; createdAt: number; lastUsedAt: number | null; backedUp: boolean }[];
  totp: { enrolled: boolean; pending: boolean; recoveryCodesLeft: number; lockedUntil: number | null };
  signin: { verifiedAt: number; stepUpWindowMs: number; stepUpUntil: number };
}

const overview = async (access: string) => (await get(t, '/api/v1/account', access)).body as unknown as Overview;

/** Adds a passkey on `authenticator` to the account behind `access`. */
async function addPasskey(access: string, authenticator: SoftAuthenticator, passkeyName = 'security key') {
  const started = await post(t, '/api/v1/account/passkeys/options', {}, access);
  if (started.status !== 200) return started;
  const response = authenticator.register(started.body.options as never);
  return post(t, '/api/v1/account/passkeys', { passkeyName, response }, access);
}

async function signInWith(authenticator: SoftAuthenticator) {
  const { body } = await post(t, '/api/v1/signin/options', {});
  return post(t, '/api/v1/signin', { response: authenticator.assert(body.options as never) });
}

const codeAt = (secret: string) => makeTotp(Secret.fromBase32(secret), 'x').generate({ timestamp: clock });

async function setUpApp(access: string) {
  const secret = (await post(t, '/api/v1/totp/begin', {}, access)).body.secret as string;
  const confirmed = await post(t, '/api/v1/totp/confirm', { code: codeAt(secret) }, access);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

const auditTypes = () => t.store.listAuditEvents(1, 1000).map((event) => event.type);

describe('the account page API', () => {
  it('shows the person, their passkeys, their authenticator app and this sign-in', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const answer = await get(t, '/api/v1/account', alice.tokens.accessToken);
    expect(answer).toMatchObject({
      status: 200,
      body: {
        user: { name: 'alice', role: 'operator' },
        passkeys: [{ name: 'laptop', createdAt: clock, lastUsedAt: null, backedUp: false }],
        totp: { enrolled: false, pending: false, recoveryCodesLeft: 0, lockedUntil: null },
        signin: { verifiedAt: clock, stepUpWindowMs: 5 * 60_000, stepUpUntil: clock + 5 * 60_000 },
        now: clock,
      },
    });
    // Nothing secret leaks: no public keys or counters.
    expect(Object.keys((answer.body as unknown as Overview).passkeys[0] ?? {}).sort()).toEqual(
      ['backedUp', 'createdAt', 'id', 'lastUsedAt', 'name'].sort(),
    );
  });

  it('is for signed-in people only', async () => {
    await start();
    expect((await get(t, '/api/v1/account', 'fta_nothing')).status).toBe(401);
    expect(await get(t, '/api/v1/account', t.apiToken('admin'))).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_REQUEST' } },
    });
  });

  it('adds another passkey after a recent check, which then signs in', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const key = authenticatorFor(t);
    const added = await addPasskey(alice.tokens.accessToken, key, 'YubiKey');
    expect(added).toMatchObject({ status: 200, body: { passkey: { name: 'YubiKey' } } });
    expect((await overview(alice.tokens.accessToken)).passkeys.map((p) => p.name)).toEqual(['laptop', 'YubiKey']);
    expect(await signInWith(key)).toMatchObject({ status: 200, body: { user: { name: 'alice' } } });
    expect(auditTypes()).toContain('passkey.added');
  });

  it('asks for a step-up before adding a passkey once the window has passed, by passkey or app code', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const access = alice.tokens.accessToken;
    const { secret } = await setUpApp(access);
    clock += PAST_WINDOW_MS;
    expect(await addPasskey(access, authenticatorFor(t))).toMatchObject({
      status: 403,
      body: { error: { code: 'STEP_UP_REQUIRED', message: expect.stringContaining('adding a passkey') } },
    });
    expect((await post(t, '/api/v1/stepup/totp', { code: codeAt(secret) }, access)).status).toBe(200);
    expect((await addPasskey(access, authenticatorFor(t))).status).toBe(200);

    // The options were asked for within the window, but the answer came after it: refused too.
    clock += 5 * 60_000 - 30_000;
    const started = await post(t, '/api/v1/account/passkeys/options', {}, access);
    expect(started.status).toBe(200);
    clock += 60_000;
    const late = await post(
      t,
      '/api/v1/account/passkeys',
      { passkeyName: 'late', response: authenticatorFor(t).register(started.body.options as never) },
      access,
    );
    expect(late.body.error?.code).toBe('STEP_UP_REQUIRED');
  });

  it("refuses a passkey made for someone else's options, a bad name, and the same authenticator twice", async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const bob = await signedInPerson(t, 'bob');
    const forAlice = await post(t, '/api/v1/account/passkeys/options', {}, alice.tokens.accessToken);
    const response = authenticatorFor(t).register(forAlice.body.options as never);
    expect(
      (await post(t, '/api/v1/account/passkeys', { passkeyName: 'x', response }, bob.tokens.accessToken)).body.error
        ?.code,
    ).toBe('CHALLENGE_UNKNOWN');
    expect((await addPasskey(alice.tokens.accessToken, authenticatorFor(t), '  ')).body.error?.code).toBe(
      'PASSKEY_NAME_INVALID',
    );
    // The options exclude the passkeys the person has: their authenticator refuses to make a second one.
    const again = await post(t, '/api/v1/account/passkeys/options', {}, alice.tokens.accessToken);
    expect(() => alice.authenticator.register(again.body.options as never)).toThrow(/InvalidStateError/);
  });

  it('renames a passkey without a step-up, but only the person’s own', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const bob = await signedInPerson(t, 'bob');
    const [passkey] = (await overview(alice.tokens.accessToken)).passkeys;
    clock += PAST_WINDOW_MS;
    const rename = (id: string, name: string, access = alice.tokens.accessToken) =>
      post(t, '/api/v1/account/passkeys/rename', { id, name }, access);
    expect(await rename(passkey!.id, ' work laptop ')).toMatchObject({ status: 200, body: { renamed: true } });
    expect((await overview(alice.tokens.accessToken)).passkeys[0]?.name).toBe('work laptop');
    expect((await rename(passkey!.id, 'x'.repeat(65))).body.error?.code).toBe('PASSKEY_NAME_INVALID');
    expect(await rename(passkey!.id, 'mine now', bob.tokens.accessToken)).toMatchObject({
      status: 404,
      body: { error: { code: 'PASSKEY_UNKNOWN' } },
    });
    const renamed = t.store.listAuditEvents(1, 1000).find((event) => event.type === 'passkey.renamed');
    expect(renamed).toMatchObject({ actor: 'alice', detail: { name: 'work laptop', previous: 'laptop' } });
  });

  it('removes a passkey after a step-up, never the last way in', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const access = alice.tokens.accessToken;
    const [laptop] = (await overview(access)).passkeys;
    const remove = (id: string) => post(t, '/api/v1/account/passkeys/remove', { id }, access);
    expect(await remove(laptop!.id)).toMatchObject({ status: 409, body: { error: { code: 'PASSKEY_LAST' } } });

    const key = authenticatorFor(t);
    expect((await addPasskey(access, key)).status).toBe(200);
    clock += PAST_WINDOW_MS;
    expect((await remove(laptop!.id)).body.error?.code).toBe('STEP_UP_REQUIRED');
    expect((await confirmWithPasskey(t, key, access)).status).toBe(200);
    expect(await remove(laptop!.id)).toMatchObject({ status: 200, body: { removed: true } });
    expect((await overview(access)).passkeys.map((p) => p.name)).toEqual(['security key']);
    expect((await signInWith(alice.authenticator)).body.error?.code).toBe('PASSKEY_UNKNOWN');
    expect(t.store.listAuditEvents(1, 1000).find((event) => event.type === 'passkey.removed')).toMatchObject({
      actor: 'alice',
      detail: { passkeyId: laptop!.id, name: 'laptop' },
    });
  });

  it('makes new recovery codes after a step-up; the old ones stop working', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const access = alice.tokens.accessToken;
    expect(await post(t, '/api/v1/account/recovery-codes', {}, access)).toMatchObject({
      status: 400,
      body: { error: { code: 'TOTP_NOT_ENROLLED' } },
    });
    const { recoveryCodes: old } = await setUpApp(access);
    clock += PAST_WINDOW_MS;
    expect((await post(t, '/api/v1/account/recovery-codes', {}, access)).body.error?.code).toBe('STEP_UP_REQUIRED');
    expect((await confirmWithPasskey(t, alice.authenticator, access)).status).toBe(200);
    const fresh = await post(t, '/api/v1/account/recovery-codes', {}, access);
    expect(fresh.status).toBe(200);
    const codes = fresh.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect((await overview(access)).totp).toMatchObject({ enrolled: true, recoveryCodesLeft: 10 });
    const signIn = (recoveryCode: string) => post(t, '/api/v1/signin/totp', { name: 'alice', recoveryCode });
    expect((await signIn(old[0]!)).body.error?.code).toBe('RECOVERY_CODE_INVALID');
    expect((await signIn(codes[0]!)).status).toBe(200);
    expect(auditTypes()).toContain('recovery.regenerated');
  });

  it('signs out everywhere: every sign-in of the person ends, nobody else’s', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const bob = await signedInPerson(t, 'bob');
    const elsewhere = (
      (await signInWith(alice.authenticator)).body.tokens as { accessToken: string; refreshToken: string }
    ).refreshToken;
    expect(await post(t, '/api/v1/account/signout-everywhere', {}, alice.tokens.accessToken)).toMatchObject({
      status: 200,
      body: { sessionsEnded: 2 },
    });
    expect((await get(t, '/api/v1/account', alice.tokens.accessToken)).status).toBe(401);
    expect((await post(t, '/api/v1/session/refresh', { refreshToken: elsewhere })).body.error?.code).toBe(
      'SESSION_REVOKED',
    );
    expect((await get(t, '/api/v1/account', bob.tokens.accessToken)).status).toBe(200);
    expect(t.store.listAuditEvents(1, 1000).find((e) => e.type === 'signin.ended_everywhere')).toMatchObject({
      actor: 'alice',
      detail: { sessionsEnded: 2 },
    });
  });
});
