import { requestJson } from '../../node-common/trust/httpsJson';
import { checkToken, type ConnectionSettings } from './connection';
import { CliError, ExitCode } from './exitCodes';
import type { SavedLogins } from './savedLogins';

/** An access token this close to its end is refreshed first. */
const REFRESH_MARGIN_MS = 30_000;

/**
 * The token for these settings: the one given, or this broker's
 * `fleetterm login` (refreshed when its access token ends soon; the rotated
 * refresh secret is saved at once, since the old one no longer works).
 */
export async function withSignedInToken(
  settings: ConnectionSettings,
  logins: SavedLogins,
  now: () => number = Date.now,
): Promise<ConnectionSettings> {
  if (settings.token !== '') return settings;
  const saved = logins.get(settings.httpBase);
  if (!saved) {
    const missing = checkToken(undefined);
    throw new CliError(ExitCode.USAGE, missing.ok ? 'not signed in' : missing.error);
  }
  if (saved.expiresAt <= now()) {
    logins.remove(settings.httpBase);
    throw new CliError(
      ExitCode.REMOTE_FAILURE,
      'your sign-in has ended (they last 12 hours); run `fleetterm login` again',
    );
  }
  if (saved.accessExpiresAt - REFRESH_MARGIN_MS > now())
    return { ...settings, token: saved.accessToken, signedIn: true };
  const answer = await requestJson(`${settings.httpBase}/api/v1/session/refresh`, {
    method: 'POST',
    body: { refreshToken: saved.refreshToken },
    ca: settings.ca,
  });
  if (!answer.ok) throw new CliError(ExitCode.UNREACHABLE, answer.message);
  const tokens = (answer.body as { tokens?: { accessToken: string; accessExpiresAt: number; refreshToken: string } })
    .tokens;
  if (answer.status !== 200 || !tokens) {
    logins.remove(settings.httpBase);
    const message = (answer.body as { error?: { message?: string } }).error?.message ?? `HTTP ${answer.status}`;
    throw new CliError(
      ExitCode.REMOTE_FAILURE,
      `your sign-in could not be renewed (${message}); run \`fleetterm login\``,
    );
  }
  logins.put(settings.httpBase, { ...saved, ...tokens });
  return { ...settings, token: tokens.accessToken, signedIn: true };
}
