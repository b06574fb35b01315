import {
  DEFAULT_BROKER_URL,
  isLoopbackHost,
  parseBrokerUrl as parseBrokerUrlFor,
  type BrokerEndpoints,
} from '../../common/brokerUrl';
import { err, ok, type Result } from '../../common/result';

export { DEFAULT_BROKER_URL, isLoopbackHost };

export const TOKEN_HINT =
  'An admin creates one on the broker host with `fleetterm-broker token create --role operator`.';

/** Where the broker is and how we prove who we are. */
export interface ConnectionSettings extends BrokerEndpoints {
  token: string;
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
  if (trimmed === '') return err(`no API token: pass --token TOKEN or set FLEETTERM_TOKEN. ${TOKEN_HINT}`);
  if (trimmed.startsWith('fte_')) {
    return err(
      `that is an enrolment token (fte_…), which enrols an agent; fleetterm needs an API token (ftk_…). ${TOKEN_HINT}`,
    );
  }
  if (trimmed.startsWith('ftm_')) {
    return err(
      `that is a machine credential (ftm_…), which belongs to an agent; fleetterm needs an API token (ftk_…). ${TOKEN_HINT}`,
    );
  }
  return ok(trimmed);
}

/** Flags win over the environment; the broker URL defaults to the local broker. */
export function resolveConnection(
  flags: { broker?: string; token?: string },
  env: Record<string, string | undefined>,
): Result<ConnectionSettings, string> {
  const broker = parseBrokerUrl(flags.broker ?? (env.FLEETTERM_BROKER || DEFAULT_BROKER_URL));
  if (!broker.ok) return broker;
  const token = checkToken(flags.token ?? env.FLEETTERM_TOKEN);
  if (!token.ok) return token;
  return ok({ ...broker.value, token: token.value });
}
