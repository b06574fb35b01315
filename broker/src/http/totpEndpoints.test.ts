import { Secret } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTotp } from '../auth/totp/totpConfig';
import { post, signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
let clock: number;
afterEach(() => t.close());

async function start() {
  clock = Date.UTC(2026, 10, 23, 12, 0, 0);
  t = await TestBroker.start({ now: () => clock });
}

/** The code an authenticator app shows for `secret` at the broker's clock. */
const codeAt = (secret: string, at = clock) => makeTotp(Secret.fromBase32(secret), 'x').generate({ timestamp: at });

async function setUpApp(accessToken: string) {
  const begun = await post(t, '/api/v1/totp/begin', {}, accessToken);
  expect(begun).toMatchObject({ status: 200, body: { uri: expect.stringMatching(/^otpauth:\/\/totp\//) } });
  expect(String(begun.body.qrSvg)).toContain('<svg');
  const secret = begun.body.secret as string;
  const confirmed = await post(t, '/api/v1/totp/confirm', { code: codeAt(secret) }, accessToken);
  expect(confirmed.status).toBe(200);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

describe('an authenticator app', () => {
  it('is set up after a fresh passkey check, then signs in by name and code, and serves as step-up', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const { secret, recoveryCodes } = await setUpApp(alice.tokens.accessToken);
    expect(recoveryCodes).toHaveLength(10);

    clock += 30_000; // the next step: the code used to confirm is spent
    const signedIn = await post(t, '/api/v1/signin/totp', { name: 'alice', code: codeAt(secret) });
    expect(signedIn).toMatchObject({ status: 200, body: { user: { name: 'alice' } } });
    const access = (signedIn.body.tokens as { accessToken: string }).accessToken;
    expect(await post(t, '/api/v1/signin/totp', { name: 'alice', code: codeAt(secret) })).toMatchObject({
      status: 401,
      body: { error: { code: 'TOTP_REPLAYED' } },
    });

    clock += 6 * 60_000; // the step-up window has passed
    expect((await post(t, '/api/v1/terminal-tokens', { machine: 'web-1' }, access)).body.error?.code).toBe(
      'STEP_UP_REQUIRED',
    );
    expect((await post(t, '/api/v1/stepup/totp', { code: codeAt(secret) }, access)).status).toBe(200);
    expect((await post(t, '/api/v1/terminal-tokens', { machine: 'web-1' }, access)).body.error?.code).toBe(
      'MACHINE_NOT_FOUND',
    );
  });

  it('cannot be set up without a fresh passkey check', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    clock += 6 * 60_000;
    expect(await post(t, '/api/v1/totp/begin', {}, alice.tokens.accessToken)).toMatchObject({
      status: 403,
      body: { error: { code: 'STEP_UP_REQUIRED' } },
    });
  });

  it('locks after repeated wrong codes, while a recovery code still works, once', async () => {
    await start();
    const alice = await signedInPerson(t, 'alice');
    const { secret, recoveryCodes } = await setUpApp(alice.tokens.accessToken);
    clock += 30_000;
    const wrong = codeAt(secret) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await post(t, '/api/v1/signin/totp', { name: 'alice', code: wrong });
    expect(await post(t, '/api/v1/signin/totp', { name: 'alice', code: codeAt(secret) })).toMatchObject({
      status: 429,
      body: { error: { code: 'TOTP_LOCKED' } },
    });
    const recovery = recoveryCodes[0];
    expect((await post(t, '/api/v1/signin/totp', { name: 'alice', recoveryCode: recovery })).status).toBe(200);
    expect((await post(t, '/api/v1/signin/totp', { name: 'alice', recoveryCode: recovery })).body.error?.code).toBe(
      'RECOVERY_CODE_INVALID',
    );
  });

  it('answers an unknown user name like a wrong code', async () => {
    await start();
    expect(await post(t, '/api/v1/signin/totp', { name: 'nobody', code: '123456' })).toMatchObject({
      status: 401,
      body: { error: { code: 'TOTP_INVALID' } },
    });
  });
});
