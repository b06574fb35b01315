import { desktopChannels, type AppInfo, type DesktopResult, type SecretStorageStatus } from '../common/desktopApi';
import { KnownBrokersError } from '../node-common/trust';
import type { BrokerProfiles } from './brokerProfiles';
import type { DesktopBackend } from './desktopIpc';
import { ProfileStoreError } from './profileStore';
import type { SignIns } from './signIns';

export interface DesktopBackendDeps {
  getAppInfo(): AppInfo;
  profiles: Pick<BrokerProfiles, 'list' | 'add' | 'remove'>;
  signIns: Pick<SignIns, 'signIn' | 'cancel' | 'accessToken' | 'signOut'>;
  secretStorage: SecretStorageStatus;
  /** The brokers changed: the page's CSP names them, so it must load again. */
  onBrokersChanged(): void;
}

/**
 * What main answers to the console page (desktopIpc.ts checked the
 * arguments). A damaged or unwritable profiles or pins file is an answer
 * with guidance (STORAGE), not an exception that loses its message on the
 * way through IPC.
 */
export function createDesktopBackend(deps: DesktopBackendDeps): DesktopBackend {
  return {
    [desktopChannels.getAppInfo]: () => deps.getAppInfo(),
    [desktopChannels.listProfiles]: () => ({ profiles: deps.profiles.list(), secretStorage: deps.secretStorage }),
    [desktopChannels.addProfile]: (request) =>
      storageSafe(async () => {
        const added = await deps.profiles.add(request);
        if (added.ok) deps.onBrokersChanged();
        return added;
      }),
    [desktopChannels.removeProfile]: (profileId) =>
      storageSafe(async () => {
        await deps.signIns.signOut(profileId);
        const removed = deps.profiles.remove(profileId);
        if (removed.ok) deps.onBrokersChanged();
        return removed;
      }),
    [desktopChannels.signIn]: (profileId) => storageSafe(() => deps.signIns.signIn(profileId)),
    [desktopChannels.cancelSignIn]: (profileId) => deps.signIns.cancel(profileId),
    [desktopChannels.getAccessToken]: (profileId) => storageSafe(() => deps.signIns.accessToken(profileId)),
    [desktopChannels.signOut]: (profileId) => storageSafe(() => deps.signIns.signOut(profileId)),
  };
}

async function storageSafe<T>(run: () => Promise<DesktopResult<T>>): Promise<DesktopResult<T>> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ProfileStoreError || error instanceof KnownBrokersError) {
      return { ok: false, error: { code: 'STORAGE', message: error.message } };
    }
    throw error;
  }
}
