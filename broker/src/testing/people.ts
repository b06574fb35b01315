import { expect } from 'vitest';
import { SoftAuthenticator, type AssertKnobs } from '../auth/passkeys/testing/softAuthenticator';
import { issueInvitation } from '../auth/users/invitations';
import type { Role } from '../store/store';
import type { TestBroker } from './testBroker';

export interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

/** A JSON POST to the broker's API, with an optional bearer secret. */
export async function post(t: TestBroker, path: string, body: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

export async function get(t: TestBroker, path: string, token: string): Promise<Answer> {
  const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** The browser side: the broker's own page at http://localhost:PORT with a platform authenticator. */
export const authenticatorFor = (t: TestBroker) => new SoftAuthenticator(`http://localhost:${t.broker.port}`);

/** Registers `name` with a passkey on `authenticator` through the link `invite`. */
export async function register(t: TestBroker, authenticator: SoftAuthenticator, invite: string, name: string) {
  const started = await post(t, '/api/v1/register/options', { invite, name, displayName: name });
  expect(started.status).toBe(200);
  const { registrationId, options } = started.body as { registrationId: string; options: never };
  return post(t, '/api/v1/register', {
    invite,
    registrationId,
    name,
    displayName: name,
    passkeyName: 'laptop',
    response: authenticator.register(options),
  });
}

/** A person with a role, registered and signed in: their authenticator and tokens. */
export async function signedInPerson(t: TestBroker, name: string, role: Role = 'operator') {
  const authenticator = authenticatorFor(t);
  const { secret } = issueInvitation(t.store, { role, name: null, createdBy: null, now: Date.now() });
  const registered = await register(t, authenticator, secret, name);
  expect(registered.status).toBe(200);
  return { authenticator, tokens: registered.body.tokens as Tokens };
}

/** A passkey assertion for a step-up (`/api/v1/stepup`), or for sign-in with `path` `/api/v1/signin`. */
export async function confirmWithPasskey(
  t: TestBroker,
  authenticator: SoftAuthenticator,
  accessToken: string,
  knobs: AssertKnobs = {},
): Promise<Answer> {
  const { body } = await post(t, '/api/v1/stepup/options', {}, accessToken);
  return post(t, '/api/v1/stepup', { response: authenticator.assert(body.options as never, knobs) }, accessToken);
}
