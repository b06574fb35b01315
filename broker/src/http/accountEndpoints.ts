import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AccountRefusal, Client } from '../auth/accounts';
import type { Handler } from './apiHandler';
import { HttpError } from './httpError';
import { readJsonBody } from './readJsonBody';

/** Each address may try this many authentication requests at once, then one every 3 s. */
export const AUTH_BURST = 20;
export const AUTH_REFILL_MS = 3000;

const RegisterOptionsBody = z.object({
  invite: z.string().min(1).max(200),
  name: z.string().min(1).max(64),
  displayName: z.string().max(128).default(''),
});

const RegisterBody = RegisterOptionsBody.extend({
  registrationId: z.string().uuid(),
  passkeyName: z.string().min(1).max(64),
  response: z.unknown(),
});

const SigninBody = z.object({ response: z.unknown() });
const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
const CodeBody = z.object({ code: z.string().min(1).max(64) });
const TotpSigninBody = z
  .object({
    name: z.string().min(1).max(64),
    code: z.string().min(1).max(64).optional(),
    recoveryCode: z.string().min(1).max(64).optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), 'send either code or recoveryCode');
const AuthorizeBody = z.object({
  redirectUri: z.string().min(1).max(300),
  codeChallenge: z.string().min(1).max(100),
  state: z.string().min(1).max(200),
});
const TokenBody = z.object({
  code: z.string().min(1).max(100),
  codeVerifier: z.string().min(43).max(128),
  redirectUri: z.string().min(1).max(300),
});
const TerminalTokenBody = z.object({
  machine: z.string().min(1).max(64),
  loginUser: z.string().min(1).max(64).optional(),
});

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJsonBody(req));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, 'BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

function client(req: IncomingMessage): Client {
  return { userAgent: req.headers['user-agent'] ?? '', remote: req.socket.remoteAddress ?? '' };
}

/** The signed-in person behind the request (API tokens have no passkeys to step up with). */
function signinOf(req: IncomingMessage, deps: Parameters<Handler>[1]) {
  const operator = deps.requireOperator(req);
  if (operator.credential.kind !== 'signin') {
    throw new HttpError(400, 'BAD_REQUEST', 'a step-up confirms a signed-in person; API tokens have none');
  }
  return { userId: operator.credential.userId, sessionId: operator.credential.sessionId, name: operator.name };
}

function refusal(refused: { status: number; code: AccountRefusal['code']; message: string }): HttpError {
  return new HttpError(refused.status, refused.code, refused.message);
}

/** Authentication endpoints are rate limited per address (429 with Retry-After, in seconds). */
function limited(handler: Handler): Handler {
  return (req, deps) => {
    const taken = deps.authLimiter.take(req.socket.remoteAddress ?? '', deps.now());
    if (!taken.ok) {
      const seconds = Math.ceil(taken.retryAfterMs / 1000);
      throw new HttpError(429, 'RATE_LIMITED', `too many sign-in attempts from this address; retry in ${seconds} s`, {
        'retry-after': String(seconds),
      });
    }
    return handler(req, deps);
  };
}

/** People's accounts: registration with a link and a passkey, passkey sign-in, refresh, sign-out, who am I. */
export const ACCOUNT_ROUTES: Record<string, Record<string, Handler>> = {
  '/api/v1/register/options': {
    POST: limited(async (req, deps) => {
      const answer = await deps.accounts.registrationOptions(await body(req, RegisterOptionsBody), client(req));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/register': {
    POST: limited(async (req, deps) => {
      const answer = await deps.accounts.register(await body(req, RegisterBody), client(req));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/signin/options': {
    POST: limited(async (_req, deps) => ({ options: await deps.accounts.signinOptions() })),
  },
  '/api/v1/signin': {
    POST: limited(async (req, deps) => {
      const answer = await deps.accounts.signin((await body(req, SigninBody)).response, client(req));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/session/refresh': {
    POST: limited(async (req, deps) => {
      const answer = deps.accounts.refresh((await body(req, RefreshBody)).refreshToken);
      if (!answer.ok) throw refusal(answer.error);
      return { tokens: answer.value };
    }),
  },
  '/api/v1/signout': {
    POST: (req, deps) => {
      const operator = deps.requireOperator(req);
      if (operator.credential.kind !== 'signin') {
        throw new HttpError(400, 'BAD_REQUEST', 'sign-out ends a sign-in; revoke API tokens with `token revoke`');
      }
      deps.accounts.signOut(operator.credential.sessionId, operator.name);
      return { signedOut: true };
    },
  },
  '/api/v1/stepup/options': {
    POST: limited(async (req, deps) => {
      const signedIn = signinOf(req, deps);
      const options = await deps.accounts.stepUpOptions(signedIn.userId);
      if (!options.ok) throw refusal(options.error);
      return { options: options.value };
    }),
  },
  '/api/v1/stepup': {
    POST: limited(async (req, deps) => {
      const signedIn = signinOf(req, deps);
      const answer = await deps.accounts.stepUp(signedIn, (await body(req, SigninBody)).response, client(req));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/totp/begin': {
    POST: limited(async (req, deps) => {
      const answer = await deps.totpFlows.begin(signinOf(req, deps));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/totp/confirm': {
    POST: limited(async (req, deps) => {
      const answer = deps.totpFlows.confirm(signinOf(req, deps), (await body(req, CodeBody)).code);
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/stepup/totp': {
    POST: limited(async (req, deps) => {
      const answer = deps.totpFlows.stepUp(signinOf(req, deps), (await body(req, CodeBody)).code, client(req));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/signin/totp': {
    POST: limited(async (req, deps) => {
      const answer = deps.totpFlows.signIn(await body(req, TotpSigninBody), client(req));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/authorize': {
    POST: limited(async (req, deps) => {
      const operator = deps.requireOperator(req);
      if (operator.credential.kind !== 'signin')
        throw new HttpError(400, 'BAD_REQUEST', 'sign in with a passkey first');
      const session = deps.store.signinSessions.findSigninSession(operator.credential.sessionId);
      const answer = deps.loopbackAuthorization.authorize(
        { userId: operator.credential.userId, name: operator.name, verifiedAt: session?.verifiedAt ?? 0 },
        await body(req, AuthorizeBody),
      );
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/token': {
    POST: limited(async (req, deps) => {
      const answer = deps.loopbackAuthorization.exchange(await body(req, TokenBody), client(req));
      if (!answer.ok) throw refusal(answer.error);
      return answer.value;
    }),
  },
  '/api/v1/terminal-tokens': {
    POST: async (req, deps) => {
      const operator = deps.requireOperator(req);
      const { machine, loginUser } = await body(req, TerminalTokenBody);
      const minted = deps.terminalAccess.mint(operator, machine, loginUser);
      if (!minted.ok) throw refusal(minted.error);
      return minted.value;
    },
  },
  '/api/v1/me': {
    GET: (req, deps) => {
      const operator = deps.requireOperator(req);
      return { name: operator.name, role: operator.role, credential: operator.credential.kind };
    },
  },
};
