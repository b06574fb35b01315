// Shapes of the broker's HTTP API that the broker writes and the clients
// (the console renderer, the desktop app) read: one definition, so the two
// sides cannot drift. Pure types (docs/PROTOCOL.md, HTTP API).
import type { Labels } from './labels';

/** One machine as `GET /api/v1/machines` and `fleetterm-broker machines --json` list it. */
export interface MachineSummary {
  id: string;
  name: string;
  labels: Labels;
  /** The agent's platform as Node names it: linux, darwin, win32, freebsd… */
  os: string;
  arch: string;
  hostname: string;
  online: boolean;
  /** ISO 8601, or null when the agent never connected. */
  lastSeen: string | null;
  /** Open sessions on the machine. */
  sessions: number;
}

/** What a client holds after signing in or refreshing; shown once, stored hashed by the broker. */
export interface SigninTokens {
  sessionId: string;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  expiresAt: number;
}
