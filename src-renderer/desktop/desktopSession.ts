import type { AccessGrant, DesktopError, DesktopUser, FleettermDesktopApi } from '../../common/desktopApi';

/**
 * A signed-in broker, as the desktop console uses it: the broker's URL for
 * the HTTP API and `/ws/console`, and a function for the current access
 * token. Main keeps the refresh secret and refreshes ahead of expiry, so
 * asking before each request (or reconnect) is cheap: it answers from
 * memory until the last minute of a token.
 */
export interface DesktopSession {
  profileId: string;
  brokerName: string;
  /** The broker's HTTP base, e.g. `https://broker.example.org:7420`. */
  brokerUrl: string;
  user: DesktopUser;
  /** A live access token; rejects with a DesktopSessionError (code SIGNED_OUT: show the profiles again). */
  accessToken: () => Promise<string>;
}

/** A refusal from main, with its code, for the console to tell "signed out" from "unreachable". */
export class DesktopSessionError extends Error {
  override readonly name = 'DesktopSessionError';
  readonly code: DesktopError['code'];

  constructor(error: DesktopError) {
    super(error.message);
    this.code = error.code;
  }
}

export function createDesktopSession(
  api: Pick<FleettermDesktopApi, 'getAccessToken'>,
  profile: { id: string; name: string },
  grant: AccessGrant,
): DesktopSession {
  return {
    profileId: profile.id,
    brokerName: profile.name,
    brokerUrl: grant.brokerUrl,
    user: grant.user,
    accessToken: async () => {
      const answer = await api.getAccessToken(profile.id);
      if (!answer.ok) throw new DesktopSessionError(answer.error);
      return answer.value.accessToken;
    },
  };
}
