import { spawn } from 'node:child_process';
import { requestJson } from '../../node-common/trust/httpsJson';
import type { ConnectionSettings } from './connection';
import { CliError, ExitCode } from './exitCodes';
import type { CliIo } from './io';
import { startLoopbackLogin } from '../../node-common/auth/loopbackLogin';
import type { SavedLogins } from './savedLogins';

export interface LoginDeps {
  io: CliIo;
  logins: SavedLogins;
  /** Opens a URL in the person's browser; false when it could not. */
  openBrowser?: (url: string) => Promise<boolean>;
}

interface TokenAnswer {
  user: { name: string; role: string };
  tokens: { accessToken: string; accessExpiresAt: number; refreshToken: string; expiresAt: number };
}

/**
 * `fleetterm login`: signs this command in as a person through the browser
 * (the web console's page, a passkey), per RFC 8252 with PKCE, and keeps the
 * sign-in in logins.json (mode 0600) for later commands.
 */
export async function runLogin(settings: ConnectionSettings, deps: LoginDeps): Promise<number> {
  const { io } = deps;
  const health = await requestJson(`${settings.httpBase}/api/v1/health`, { ca: settings.ca });
  if (!health.ok) throw new CliError(ExitCode.UNREACHABLE, health.message);
  const consoleUrl = (health.body as { consoleUrl?: unknown }).consoleUrl;
  if (typeof consoleUrl !== 'string') {
    throw new CliError(ExitCode.REMOTE_FAILURE, 'this broker has no web console to sign in with; use an API token');
  }
  const login = await startLoopbackLogin(consoleUrl);
  try {
    io.stderr.write(`Confirm the sign-in in your browser:\n  ${login.url}\n`);
    // FLEETTERM_NO_BROWSER: only print the address (a remote shell, a test that drives its own browser).
    const opened = io.env.FLEETTERM_NO_BROWSER ? false : await (deps.openBrowser ?? openInBrowser)(login.url);
    if (!opened) io.stderr.write('(the browser did not open by itself: open the address above)\n');
    const code = await login.code.catch((error: unknown) => {
      throw new CliError(ExitCode.REMOTE_FAILURE, `login cancelled: ${(error as Error).message}`);
    });
    const answer = await requestJson(`${settings.httpBase}/api/v1/token`, {
      method: 'POST',
      body: { code, codeVerifier: login.codeVerifier, redirectUri: login.redirectUri },
      ca: settings.ca,
    });
    if (!answer.ok) throw new CliError(ExitCode.UNREACHABLE, answer.message);
    if (answer.status !== 200) {
      const message = (answer.body as { error?: { message?: string } }).error?.message ?? `HTTP ${answer.status}`;
      throw new CliError(ExitCode.REMOTE_FAILURE, `the broker refused the login: ${message}`);
    }
    const { user, tokens } = answer.body as TokenAnswer;
    deps.logins.put(settings.httpBase, { user: user.name, role: user.role, ...tokens });
    io.stderr.write(
      `Signed in to ${settings.httpBase} as ${user.name} (${user.role}) until ${new Date(tokens.expiresAt).toISOString()}.\n`,
    );
    return ExitCode.OK;
  } finally {
    login.close();
  }
}

/** `fleetterm logout`: ends this broker's sign-in there and forgets it here. */
export async function runLogout(settings: ConnectionSettings, deps: LoginDeps): Promise<number> {
  const saved = deps.logins.get(settings.httpBase);
  if (!saved) {
    deps.io.stderr.write(`Not signed in to ${settings.httpBase}.\n`);
    return ExitCode.OK;
  }
  // Best effort: an ended or unreachable sign-in is forgotten here all the same.
  await requestJson(`${settings.httpBase}/api/v1/signout`, {
    method: 'POST',
    body: {},
    headers: { Authorization: `Bearer ${saved.accessToken}` },
    ca: settings.ca,
  });
  deps.logins.remove(settings.httpBase);
  deps.io.stderr.write(`Signed out of ${settings.httpBase}.\n`);
  return ExitCode.OK;
}

/** xdg-open, open or start, detached; false when none could be started. */
function openInBrowser(url: string): Promise<boolean> {
  const command =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : ['xdg-open', url];
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
