import type { AddProfileRequest, BrokerProfile, DesktopResult } from '../common/desktopApi';
import { isLoopbackHttpUrl } from './rendererEntry';

/** Set by `npm start`: the broker it runs on this computer, offered as a profile. */
export const LOCAL_BROKER_ENV = 'FLEETTERM_LOCAL_BROKER';

export interface LocalBrokerDeps {
  list(): BrokerProfile[];
  add(request: AddProfileRequest): Promise<DesktopResult<BrokerProfile>>;
}

/**
 * `npm start` runs a broker on loopback and then this app: the broker gets
 * a profile ("This computer") unless one already names it, so the first
 * screen offers it. Only a loopback URL is taken: an environment variable
 * must not be able to point the app at a broker elsewhere. Returns a
 * warning for the log, or null.
 */
export async function addLocalBroker(value: string | undefined, deps: LocalBrokerDeps): Promise<string | null> {
  if (value === undefined || value === '') return null;
  if (!isLoopbackHttpUrl(value)) return `${LOCAL_BROKER_ENV} must be a URL on this computer (got ${value}); ignored`;
  const url = new URL(value).origin;
  if (deps.list().some((profile) => profile.url === url)) return null;
  const added = await deps.add({ name: 'This computer', url, trust: { kind: 'confirm' } });
  return added.ok ? null : `could not add the local broker ${url}: ${added.error.message}`;
}
