// The broker's API as the console calls it: from the broker's own origin in
// the web console (relative URLs), from the broker a profile names in the
// desktop app (setBrokerBase). Errors come back as { code, message } with a
// message written for the person at the screen.
import type { SigninTokens } from '../../common/httpApi';

export interface BrokerError {
  code: string;
  message: string;
}

export interface SignedInUser {
  id: string;
  name: string;
  displayName: string;
  role: 'admin' | 'operator' | 'auditor';
}

export type { SigninTokens };

export interface SignedIn {
  user: SignedInUser;
  tokens: SigninTokens;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: BrokerError };

let brokerBase = '';

/**
 * Where API requests go: '' for the page's own origin (the web console), or
 * a broker's origin such as `https://broker.example:7420` (the desktop app,
 * whose page is not served by a broker). One broker per window.
 */
export function setBrokerBase(origin: string): void {
  brokerBase = origin.replace(/\/+$/, '');
}

/** One JSON request to the broker's API; also used by accountApi.ts. */
export async function call<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(`${brokerBase}${path}`, {
      method: init.method ?? 'POST',
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    return { ok: false, error: { code: 'UNREACHABLE', message: 'the broker cannot be reached; check the connection' } };
  }
  const body = (await res.json().catch(() => undefined)) as { error?: BrokerError } | undefined;
  if (!res.ok) {
    return {
      ok: false,
      error: body?.error ?? { code: 'BAD_ANSWER', message: `the broker answered HTTP ${res.status}` },
    };
  }
  return { ok: true, value: body as T };
}

export const brokerApi = {
  registrationOptions: (input: { invite: string; name: string; displayName: string }) =>
    call<{ registrationId: string; options: unknown }>('/api/v1/register/options', { body: input }),
  register: (input: {
    invite: string;
    registrationId: string;
    name: string;
    displayName: string;
    passkeyName: string;
    response: unknown;
  }) => call<SignedIn>('/api/v1/register', { body: input }),
  signinOptions: () => call<{ options: unknown }>('/api/v1/signin/options', { body: {} }),
  signin: (response: unknown) => call<SignedIn>('/api/v1/signin', { body: { response } }),
  refresh: (refreshToken: string) =>
    call<{ tokens: SigninTokens }>('/api/v1/session/refresh', { body: { refreshToken } }),
  signout: (token: string) => call<{ signedOut: true }>('/api/v1/signout', { body: {}, token }),
  authorize: (token: string, request: { redirectUri: string; codeChallenge: string; state: string }) =>
    call<{ redirect: string }>('/api/v1/authorize', { body: request, token }),
};
