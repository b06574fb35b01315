import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTHORIZATION_CODE_TTL_MS } from '../auth/cliLogin/loopbackAuthorization';
import { post, signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
let clock: number;
afterEach(() => t.close());

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const redirectUri = 'http://127.0.0.1:5555/callback';

async function authorized(accessToken: string, fields: Record<string, string> = {}) {
  return post(t, '/api/v1/authorize', { redirectUri, codeChallenge: challenge, state: 'st', ...fields }, accessToken);
}

const codeOf = (redirect: string) => new URL(redirect).searchParams.get('code')!;

describe('command-line login (RFC 8252, PKCE)', () => {
  it('hands a one-time code to the loopback redirect, exchanged once with the verifier for a sign-in', async () => {
    clock = Date.now();
    t = await TestBroker.start({ now: () => clock });
    const alice = await signedInPerson(t, 'alice');
    const answer = await authorized(alice.tokens.accessToken);
    expect(answer.status).toBe(200);
    const redirect = String(answer.body.redirect);
    expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:5555\/callback\?code=[\w-]+&state=st$/);
    const code = codeOf(redirect);
    expect(await post(t, '/api/v1/token', { code, codeVerifier: 'x'.repeat(43), redirectUri })).toMatchObject({
      status: 400,
    });
    // A failed exchange spends the code too.
    expect((await post(t, '/api/v1/token', { code, codeVerifier: verifier, redirectUri })).status).toBe(400);

    const again = codeOf(String((await authorized(alice.tokens.accessToken)).body.redirect));
    const exchanged = await post(t, '/api/v1/token', { code: again, codeVerifier: verifier, redirectUri });
    expect(exchanged).toMatchObject({ status: 200, body: { user: { name: 'alice' } } });
    expect((await post(t, '/api/v1/token', { code: again, codeVerifier: verifier, redirectUri })).status).toBe(400);
  });

  it('refuses a redirect that is not loopback, an old passkey check, and a code past its minute', async () => {
    clock = Date.now();
    t = await TestBroker.start({ now: () => clock });
    const alice = await signedInPerson(t, 'alice');
    for (const bad of ['https://evil.example/callback', 'http://localhost:5555/callback', 'http://127.0.0.1/cb']) {
      expect((await authorized(alice.tokens.accessToken, { redirectUri: bad })).status).toBe(400);
    }
    const code = codeOf(String((await authorized(alice.tokens.accessToken)).body.redirect));
    clock += AUTHORIZATION_CODE_TTL_MS;
    expect((await post(t, '/api/v1/token', { code, codeVerifier: verifier, redirectUri })).status).toBe(400);
    clock += 5 * 60_000;
    expect((await authorized(alice.tokens.accessToken)).body.error?.code).toBe('STEP_UP_REQUIRED');
  });
});
