import { isIP } from 'node:net';
import { err, ok, type Result } from '../../../../common/result';

/**
 * The WebAuthn relying party: who the broker is to an authenticator. A passkey is bound to the RP ID
 * forever, so changing it later orphans every registered passkey; it is checked hard at start.
 */
export interface RelyingParty {
  /** A DNS name (lower case, no scheme or port): the broker's name, or `localhost` in development and tests. */
  readonly rpId: string;
  /** What authenticators show next to the passkey. */
  readonly rpName: string;
  /** The exact origins (`scheme://host[:port]`) whose pages may run the ceremonies. */
  readonly origins: readonly string[];
}

export interface RelyingPartyInput {
  rpId: string;
  rpName?: string;
  origins: readonly string[];
}

export type RelyingPartyErrorCode =
  | 'RP_ID_IP_ADDRESS' // WebAuthn refuses IP addresses as RP IDs
  | 'RP_ID_INVALID' // not a DNS name (a URL, a port, bad characters)
  | 'RP_NAME_INVALID'
  | 'ORIGINS_MISSING'
  | 'ORIGIN_INVALID' // not a bare origin URL
  | 'ORIGIN_INSECURE' // http:// beyond localhost, or a custom scheme
  | 'ORIGIN_FOREIGN'; // a host that is neither the RP ID nor under it

/** A relying-party setting the broker cannot start with, with a message that says what to write instead. */
export class RelyingPartyError extends Error {
  override readonly name = 'RelyingPartyError';
  constructor(
    readonly code: RelyingPartyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_RP_NAME = 'Fleetterm';

/** RFC 1035 label, as browsers accept it for a host: letters, digits, inner hyphens; 63 characters at most. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** RFC 1035: a name is at most 253 characters in text form. */
const MAX_DNS_NAME = 253;
const MAX_RP_NAME = 64;

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function checkRpId(raw: string): Result<string, RelyingPartyError> {
  const rpId = raw.trim().toLowerCase();
  if (isIP(stripBrackets(rpId))) {
    return err(
      new RelyingPartyError(
        'RP_ID_IP_ADDRESS',
        `the passkey RP ID "${raw}" is an IP address, and WebAuthn does not allow IP addresses as RP IDs ` +
          '(browsers refuse every passkey ceremony on such a page); use the DNS name operators reach the broker ' +
          'by, for example broker.example.com, or localhost for development',
      ),
    );
  }
  if (/[/:@?#\s]/.test(rpId)) {
    return err(
      new RelyingPartyError(
        'RP_ID_INVALID',
        `the passkey RP ID "${raw}" must be a bare DNS name without scheme, port or path, ` +
          'for example broker.example.com (or localhost for development)',
      ),
    );
  }
  const labels = rpId.split('.');
  if (!rpId || rpId.length > MAX_DNS_NAME || !labels.every((label) => DNS_LABEL.test(label))) {
    return err(
      new RelyingPartyError(
        'RP_ID_INVALID',
        `the passkey RP ID "${raw}" is not a DNS name: use letters, digits, hyphens and dots ` +
          '(internationalised names in their xn-- form), for example broker.example.com, or localhost',
      ),
    );
  }
  return ok(rpId);
}

/** WebAuthn lets a page use an RP ID equal to its host or a registrable suffix of it. */
function hostMatches(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`);
}

/** `localhost` and its subdomains are secure contexts over plain HTTP; nothing else is. */
function isLocalhost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function checkOrigin(raw: string, rpId: string): Result<string, RelyingPartyError> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return err(
      new RelyingPartyError(
        'ORIGIN_INVALID',
        `the passkey origin "${raw}" is not a URL; write it as https://${rpId} (with :PORT when not 443)`,
      ),
    );
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    return err(
      new RelyingPartyError(
        'ORIGIN_INVALID',
        `the passkey origin "${raw}" must be an origin only (scheme, host, port), ` +
          `without path, query or credentials: ${url.origin}`,
      ),
    );
  }
  const host = stripBrackets(url.hostname);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLocalhost(host));
  if (!secure) {
    return err(
      new RelyingPartyError(
        'ORIGIN_INSECURE',
        url.protocol === 'http:'
          ? `the passkey origin "${raw}" is plain HTTP, which browsers allow for passkeys only on localhost; ` +
              `serve the console over HTTPS (https://${url.host}) or use http://localhost:PORT for development`
          : `the passkey origin "${raw}" uses ${url.protocol}, but passkeys work only on https:// pages ` +
              "(and http://localhost for development); the desktop app runs them on the broker's own https origin",
      ),
    );
  }
  if (isIP(host)) {
    return err(
      new RelyingPartyError(
        'ORIGIN_FOREIGN',
        `the passkey origin "${raw}" is an IP address; browsers refuse passkeys there. ` +
          `Reach the console by its DNS name (https://${rpId}) instead`,
      ),
    );
  }
  if (!hostMatches(host, rpId)) {
    return err(
      new RelyingPartyError(
        'ORIGIN_FOREIGN',
        `the passkey origin "${raw}" is not on the RP ID ${rpId}: its host must be ${rpId} or a name under it ` +
          `(like console.${rpId}); fix the origin or the RP ID`,
      ),
    );
  }
  return ok(url.origin);
}

/** Checks the relying-party settings once, at start; the broker refuses to start on an error. */
export function parseRelyingParty(input: RelyingPartyInput): Result<RelyingParty, RelyingPartyError> {
  const rpId = checkRpId(input.rpId);
  if (!rpId.ok) return rpId;
  const rpName = (input.rpName ?? DEFAULT_RP_NAME).trim();
  if (!rpName || rpName.length > MAX_RP_NAME || /\p{Cc}/u.test(rpName)) {
    return err(
      new RelyingPartyError(
        'RP_NAME_INVALID',
        `the passkey RP name must be 1 to ${MAX_RP_NAME} printable characters (authenticators show it); ` +
          `for example "${DEFAULT_RP_NAME}"`,
      ),
    );
  }
  if (input.origins.length === 0) {
    return err(
      new RelyingPartyError(
        'ORIGINS_MISSING',
        `no passkey origin is allowed; list the console's origins, for example https://${rpId.value}:7420`,
      ),
    );
  }
  const origins: string[] = [];
  for (const raw of input.origins) {
    const origin = checkOrigin(raw, rpId.value);
    if (!origin.ok) return origin;
    if (!origins.includes(origin.value)) origins.push(origin.value);
  }
  return ok({ rpId: rpId.value, rpName, origins });
}
