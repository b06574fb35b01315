import type { IncomingMessage } from 'node:http';
import { desktopAppOrigin } from '../../../common/desktopApi';

/**
 * Whether a console upgrade comes from a page we serve (or a client that
 * says it talks to us). Browsers always send `Origin` on WebSocket
 * handshakes and never let a page forge it, so a foreign origin is a page
 * on another site trying to use the operator's browser (cross-site
 * WebSocket hijacking); a missing one is refused too, and our own clients
 * send the broker's origin. Same origin means the scheme of this listener
 * and the host and port the request was sent to; `allowed` adds others
 * (`--allowed-origin`, e.g. the desktop app's).
 */
export function originAllowed(
  req: IncomingMessage,
  secure: boolean,
  allowed: ReadonlySet<string>,
): { ok: true } | { ok: false; reason: string } {
  const origin = req.headers.origin;
  if (!origin) return { ok: false, reason: 'the upgrade has no Origin header; send the broker URL as the Origin' };
  // Compared as written: URL gives every non-special scheme the opaque origin "null".
  if (origin === desktopAppOrigin) return { ok: true };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { ok: false, reason: `the Origin "${origin.slice(0, 200)}" is not a URL` };
  }
  if (allowed.has(parsed.origin)) return { ok: true };
  const sameScheme = parsed.protocol === (secure ? 'https:' : 'http:');
  if (sameScheme && parsed.host.toLowerCase() === (req.headers.host ?? '').toLowerCase()) return { ok: true };
  return {
    ok: false,
    reason:
      `the Origin ${parsed.origin} is not this broker's; pages of other sites may not open consoles ` +
      '(an admin can allow another origin with `serve --allowed-origin`)',
  };
}

/** Normalises `--allowed-origin` values to what `URL.origin` gives; throws with guidance on a bad one. */
export function parseAllowedOrigins(values: readonly string[]): Set<string> {
  return new Set(
    values.map((value) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new Error(`--allowed-origin "${value}" is not a URL; write it like https://console.example.org`);
      }
      if (url.origin === 'null' || url.pathname !== '/' || url.search || url.hash) {
        throw new Error(
          `--allowed-origin "${value}" must be scheme://host[:port] only, like https://console.example.org`,
        );
      }
      return url.origin;
    }),
  );
}
