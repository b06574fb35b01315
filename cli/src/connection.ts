import {
  DEFAULT_BROKER_URL,
  isLoopbackHost,
  parseBrokerUrl as parseBrokerUrlFor,
  type BrokerEndpoints,
} from '../../common/brokerUrl';
import { err, ok, type Result } from '../../common/result';
import { isSpkiPin } from '../../node-common/pki/pem';

export { DEFAULT_BROKER_URL, isLoopbackHost };

export const TOKEN_HINT =
  'An admin creates one on the broker host with `fleetterm-broker token create --role operator --scope shell,exec,read`.';

/** Where the broker is and how we prove who we are. */
export interface ConnectionSettings extends BrokerEndpoints {
  /** An API token (`ftk_`), or the access token of a `fleetterm login` (`fta_`; then `signedIn`). */
  token: string;
  /** Signed in as a person (`fleetterm login`): terminals open with one-time terminal tokens. */
  signedIn?: boolean;
  /**
   * For https:// brokers, the PEM CA certificates their TLS chain must lead
   * to (the pinned roots, see trustCommand.ts); set once trust is settled.
   */
  ca?: string[];
}

/** How the user vouches for an https:// broker's CA besides known_brokers.json. */
export interface TrustFlags {
  /** A PEM bundle an admin handed out (the broker's root.crt). */
  caFile?: string;
  /** The root's SPKI pin, `sha256/…`, as `fleetterm-broker ca show` prints it. */
  caPin?: string;
}

/** The console endpoint of a broker URL (see common/brokerUrl.ts). */
export function parseBrokerUrl(text: string): Result<BrokerEndpoints, string> {
  const parsed = parseBrokerUrlFor(text, '/ws/console');
  if (!parsed.ok && parsed.error.includes('user name or password')) {
    return err(`${parsed.error}; pass the token with --token`);
  }
  return parsed;
}

/** Checks that the token is present and is an API token, not one of the other kinds. */
export function checkToken(token: string | undefined): Result<string, string> {
  const trimmed = token?.trim() ?? '';
  if (trimmed === '') {
    return err(
      `not signed in: run \`fleetterm login\`, or pass an API token with --token TOKEN or FLEETTERM_TOKEN. ${TOKEN_HINT}`,
    );
  }
  if (trimmed.startsWith('fte_')) {
    return err(
      `that is an enrolment token (fte_…), which enrols an agent; fleetterm needs an API token (ftk_…). ${TOKEN_HINT}`,
    );
  }
  return ok(trimmed);
}

/**
 * Flags win over the environment; the broker URL defaults to the local
 * broker. Without a token the settings carry none (`token: ''`): the caller
 * then uses the `fleetterm login` of this broker (see sessionToken.ts).
 */
export function resolveConnection(
  flags: { broker?: string; token?: string },
  env: Record<string, string | undefined>,
): Result<ConnectionSettings, string> {
  const broker = parseBrokerUrl(flags.broker ?? (env.FLEETTERM_BROKER || DEFAULT_BROKER_URL));
  if (!broker.ok) return broker;
  const given = flags.token ?? env.FLEETTERM_TOKEN;
  if (given === undefined || given.trim() === '') return ok({ ...broker.value, token: '' });
  const token = checkToken(given);
  if (!token.ok) return token;
  return ok({ ...broker.value, token: token.value });
}

/** --ca-file and --ca-pin (flags win over FLEETTERM_CA_FILE and FLEETTERM_CA_PIN); at most one of them. */
export function resolveTrustFlags(
  flags: TrustFlags,
  env: Record<string, string | undefined>,
): Result<TrustFlags, string> {
  const fromFlags = flags.caFile !== undefined || flags.caPin !== undefined;
  const caFile = fromFlags ? flags.caFile : env.FLEETTERM_CA_FILE || undefined;
  const caPin = (fromFlags ? flags.caPin : env.FLEETTERM_CA_PIN || undefined)?.trim();
  if (caFile !== undefined && caPin !== undefined) {
    return err("give the broker's CA one way: --ca-file FILE or --ca-pin PIN, not both");
  }
  if (caPin !== undefined && !isSpkiPin(caPin)) {
    return err(
      `"${caPin}" is not a CA pin: it looks like sha256/ followed by 44 base64 characters, as ` +
        '`fleetterm-broker ca show` prints it',
    );
  }
  if (caFile !== undefined && caFile.trim() === '') return err('--ca-file needs a file name');
  return ok({ caFile, caPin });
}
