// The machine list as the broker serves it (docs/PROTOCOL.md, HTTP API:
// GET /api/v1/machines). The shape mirrors the broker's MachineSummary; the
// renderer cannot import broker code, so it is written out here.
import { call, type ApiResult } from '../webConsole/brokerApi';

export interface Machine {
  id: string;
  name: string;
  labels: Record<string, string>;
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

/** Fetches the machine list with the signed-in person's access token. */
export function fetchMachines(accessToken: string): Promise<ApiResult<{ machines: Machine[] }>> {
  return call<{ machines: Machine[] }>('/api/v1/machines', { method: 'GET', token: accessToken });
}
