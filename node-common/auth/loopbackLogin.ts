import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The person has this long to confirm in the browser. */
const LOGIN_TIMEOUT_MS = 5 * 60_000;

export interface LoopbackLoginOptions {
  timeoutMs?: number;
  /** What the browser shows once the code has arrived (the CLI says "return to the terminal"). */
  doneMessage?: string;
  /** Who asks, so the page names it: the `fleetterm` command (default) or the desktop app. */
  client?: 'cli' | 'desktop';
}

export interface LoopbackLogin {
  /** Where the browser goes: the web console's /cli-login page with the PKCE challenge. */
  url: string;
  redirectUri: string;
  codeVerifier: string;
  /** Resolves with the one-time code the browser brings back (state checked), or rejects (timeout, close). */
  code: Promise<string>;
  /** Stops listening; a code still awaited is rejected as cancelled. Idempotent. */
  close(): void;
}

/**
 * RFC 8252 for native clients (`fleetterm login`, the desktop app's main
 * process): a PKCE verifier only this process knows, a one-shot HTTP
 * listener on 127.0.0.1 for the browser to come back to, and a random state
 * so a page elsewhere cannot feed it a code.
 */
export async function startLoopbackLogin(
  consoleBase: string,
  options: LoopbackLoginOptions = {},
): Promise<LoopbackLogin> {
  const timeoutMs = options.timeoutMs ?? LOGIN_TIMEOUT_MS;
  const doneMessage = options.doneMessage ?? 'Signed in. You can close this page and return to the terminal.';
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // Whoever awaits `code` sees the rejection; this only keeps an unawaited one from being reported as unhandled.
  code.catch(() => {});
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    const ok = url.searchParams.get('state') === state && url.searchParams.get('code');
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(ok ? `${doneMessage}\n` : 'This login does not match.\n');
    if (ok) settle.resolve(url.searchParams.get('code')!);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const minutes = Math.round(timeoutMs / 60_000);
  const timer = setTimeout(
    () =>
      settle.reject(new Error(`nobody confirmed in the browser within ${minutes} minute${minutes === 1 ? '' : 's'}`)),
    timeoutMs,
  );
  const close = () => {
    clearTimeout(timer);
    settle.reject(new Error('the sign-in was cancelled'));
    server.closeAllConnections();
    server.close();
  };
  const url = new URL('/cli-login', consoleBase);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('code_challenge', codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  if (options.client === 'desktop') url.searchParams.set('client', 'desktop');
  return { url: url.toString(), redirectUri, codeVerifier, code, close };
}
