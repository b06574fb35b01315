import { afterEach, describe, expect, it } from 'vitest';
import { issueInvitation } from '../auth/users/invitations';
import type { SoftAuthenticator } from '../auth/passkeys/testing/softAuthenticator';
import {
  authenticatorFor as authenticatorOf,
  get as getFrom,
  post as postTo,
  register as registerWith,
  type Answer,
  type Tokens,
} from '../testing/people';
import { captureLogger } from '../testing/captureLogger';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
afterEach(() => t.close());

const post = (path: string, body: unknown, token?: string) => postTo(t, path, body, token);
const get = (path: string, token: string) => getFrom(t, path, token);
const authenticatorFor = () => authenticatorOf(t);
const register = (authenticator: SoftAuthenticator, invite: string, name: string) =>
  registerWith(t, authenticator, invite, name);

async function signIn(authenticator: SoftAuthenticator, knobs = {}) {
  const { body } = await post('/api/v1/signin/options', {});
  return post('/api/v1/signin', { response: authenticator.assert(body.options as never, knobs) });
}

describe('the first admin', () => {
  it('registers with the one-time link the broker logs at first start, then signs in with the passkey alone', async () => {
    const { logger, records } = captureLogger();
    t = await TestBroker.start({ logger });
    const logged = records.find((r) => r.msg === 'no users yet: register the first admin with this one-time link');
    const link = String((logged as Record<string, unknown> | undefined)?.link);
    expect(link).toMatch(new RegExp(`^http://localhost:${t.broker.port}/register#fti_`));
    const invite = link.slice(link.indexOf('#') + 1);

    const authenticator = authenticatorFor();
    const registered = await register(authenticator, invite, 'root-admin');
    expect(registered.status).toBe(200);
    expect(registered.body.user).toMatchObject({ name: 'root-admin', role: 'admin' });
    const tokens = registered.body.tokens as Tokens;
    expect(await get('/api/v1/me', tokens.accessToken)).toMatchObject({
      status: 200,
      body: { name: 'root-admin', role: 'admin', credential: 'signin' },
    });
    // The link worked once.
    expect(await post('/api/v1/register/options', { invite, name: 'someone-else' })).toMatchObject({
      status: 410,
      body: { error: { code: 'INVITE_USED' } },
    });

    expect((await post('/api/v1/signout', {}, tokens.accessToken)).status).toBe(200);
    expect((await get('/api/v1/machines', tokens.accessToken)).status).toBe(401);

    const signedIn = await signIn(authenticator);
    expect(signedIn).toMatchObject({ status: 200, body: { user: { name: 'root-admin' } } });
    const again = signedIn.body.tokens as Tokens;
    expect((await get('/api/v1/machines', again.accessToken)).status).toBe(200);

    const types = t.store.listAuditEvents(1, 200).map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['user.registered', 'signin.succeeded', 'signin.ended', 'user.register_refused']),
    );
  });
});

describe('sign-in', () => {
  it('is refused without user verification, and for a passkey the broker does not know', async () => {
    t = await TestBroker.start();
    const authenticator = authenticatorFor();
    const { secret } = issueInvitation(t.store, { role: 'operator', name: null, createdBy: null, now: Date.now() });
    await register(authenticator, secret, 'alice');
    expect((await signIn(authenticator, { uv: false })).body.error?.code).toBe('USER_VERIFICATION_REQUIRED');
    // A passkey the broker forgot (removed) is refused.
    const bob = authenticatorFor();
    const { secret: second } = issueInvitation(t.store, {
      role: 'operator',
      name: null,
      createdBy: null,
      now: Date.now(),
    });
    const registered = await register(bob, second, 'bob');
    const userId = (registered.body.user as { id: string }).id;
    for (const passkey of t.store.passkeys.listPasskeys(userId))
      t.store.passkeys.removePasskey(userId, passkey.id, true);
    expect(await signIn(bob)).toMatchObject({ status: 401, body: { error: { code: 'PASSKEY_UNKNOWN' } } });
  });

  it('refreshes with a rotating secret; a reused one ends the sign-in', async () => {
    t = await TestBroker.start();
    const authenticator = authenticatorFor();
    const { secret } = issueInvitation(t.store, { role: 'operator', name: null, createdBy: null, now: Date.now() });
    const tokens = (await register(authenticator, secret, 'alice')).body.tokens as Tokens;
    const refreshed = await post('/api/v1/session/refresh', { refreshToken: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    const next = (refreshed.body.tokens as Tokens).accessToken;
    expect((await get('/api/v1/me', next)).status).toBe(200);
    expect((await post('/api/v1/session/refresh', { refreshToken: tokens.refreshToken })).body.error?.code).toBe(
      'REFRESH_REUSED',
    );
    expect((await get('/api/v1/me', next)).status).toBe(401);
  });

  it('is rate limited per address, saying when to retry', async () => {
    t = await TestBroker.start();
    let last: Answer | undefined;
    for (let i = 0; i < 25; i++) last = await post('/api/v1/signin/options', {});
    expect(last).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
  });
});

describe('a signed-in operator', () => {
  it('opens console links with the access token; disabling the user closes them', async () => {
    t = await TestBroker.start({ tokenRecheckIntervalMs: 50 });
    const { secret } = issueInvitation(t.store, { role: 'operator', name: null, createdBy: null, now: Date.now() });
    const tokens = (await register(authenticatorFor(), secret, 'alice')).body.tokens as Tokens;
    const console = await t.console(tokens.accessToken);
    expect(t.store.users.disableUser('alice', Date.now())).toBeDefined();
    expect(await console.closed).toMatchObject({ code: 4004 });
  });
});
