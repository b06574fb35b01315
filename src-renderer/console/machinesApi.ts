// The machine list as the broker serves it (docs/PROTOCOL.md, HTTP API:
// GET /api/v1/machines); the shape is common/httpApi.ts's MachineSummary.
import type { MachineSummary } from '../../common/httpApi';
import { call, type ApiResult } from '../webConsole/brokerApi';

export type Machine = MachineSummary;

/** Fetches the machine list with the signed-in person's access token. */
export function fetchMachines(accessToken: string): Promise<ApiResult<{ machines: Machine[] }>> {
  return call<{ machines: Machine[] }>('/api/v1/machines', { method: 'GET', token: accessToken });
}
