import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AccountRefusal } from '../auth/accounts';
import type { SignedInPerson } from '../auth/accountSettings';
import type { Result } from '../../../common/result';
import type { ApiDeps, Handler } from './apiHandler';
import { HttpError } from './httpError';
import { readJsonBody } from './readJsonBody';

// A credential id is base64url of at most 1023 bytes (WebAuthn §5.8.3 allows up to 1023).
const PasskeyId = z.string().min(1).max(1400);
// Names are checked by the passkey service (PASSKEY_NAME_INVALID says what fits); this only bounds the work.
const PasskeyName = z.string().max(200);
const AddPasskeyBody = z.object({ passkeyName: PasskeyName, response: z.unknown() });
const RenameBody = z.object({ id: PasskeyId, name: PasskeyName });
const RemoveBody = z.object({ id: PasskeyId });

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJsonBody(req));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, 'BAD_REQUEST', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/** The person behind the access token; API tokens belong to no account page. */
function personOf(req: IncomingMessage, deps: ApiDeps): SignedInPerson {
  const operator = deps.requireOperator(req);
  if (operator.credential.kind !== 'signin') {
    throw new HttpError(400, 'BAD_REQUEST', 'the account page is for signed-in people; API tokens have no account');
  }
  return { userId: operator.credential.userId, sessionId: operator.credential.sessionId, name: operator.name };
}

function answer<T>(result: Result<T, AccountRefusal>): T {
  if (result.ok) return result.value;
  throw new HttpError(result.error.status, result.error.code, result.error.message);
}

const client = (req: IncomingMessage) => ({
  userAgent: req.headers['user-agent'] ?? '',
  remote: req.socket.remoteAddress ?? '',
});

/**
 * The signed-in person's account page: what they have (passkeys, the
 * authenticator app, this sign-in) and the changes they may make to it.
 * Adding or removing a passkey and new recovery codes answer
 * STEP_UP_REQUIRED (403) without a recent passkey or TOTP check.
 */
export const ACCOUNT_PAGE_ROUTES: Record<string, Record<string, Handler>> = {
  '/api/v1/account': {
    GET: (req, deps) => answer(deps.accountSettings.overview(personOf(req, deps))),
  },
  '/api/v1/account/passkeys/options': {
    POST: async (req, deps) => answer(await deps.accountSettings.passkeyOptions(personOf(req, deps))),
  },
  '/api/v1/account/passkeys': {
    POST: async (req, deps) => {
      const person = personOf(req, deps);
      const { passkeyName, response } = await body(req, AddPasskeyBody);
      return answer(await deps.accountSettings.addPasskey(person, passkeyName, response, client(req)));
    },
  },
  '/api/v1/account/passkeys/rename': {
    POST: async (req, deps) => {
      const person = personOf(req, deps);
      const { id, name } = await body(req, RenameBody);
      return answer(deps.accountSettings.renamePasskey(person, id, name));
    },
  },
  '/api/v1/account/passkeys/remove': {
    POST: async (req, deps) => {
      const person = personOf(req, deps);
      return answer(deps.accountSettings.removePasskey(person, (await body(req, RemoveBody)).id));
    },
  },
  '/api/v1/account/recovery-codes': {
    POST: (req, deps) => answer(deps.accountSettings.regenerateRecoveryCodes(personOf(req, deps))),
  },
  '/api/v1/account/signout-everywhere': {
    POST: (req, deps) => deps.accountSettings.signOutEverywhere(personOf(req, deps)),
  },
};
