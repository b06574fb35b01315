import { describe, expect, it } from 'vitest';
import { desktopChannels } from '../common/desktopApi';
import { createDesktopBackend } from './desktopBackend';
import { ProfileStoreError } from './profileStore';

const profileId = '0b9d3f5e-8d4c-4f7e-9a51-2f0c8e6d1a23';
const profile = {
  id: profileId,
  name: 'Lab',
  url: 'http://127.0.0.1:7420',
  signInMethod: 'auto' as const,
  trust: { kind: 'plain' as const },
  signedIn: null,
};

function setup(add: () => never | Promise<{ ok: true; value: typeof profile }>) {
  const events: string[] = [];
  const backend = createDesktopBackend({
    getAppInfo: () => ({ appVersion: '0', versions: { electron: '', chrome: '', node: '' }, platform: 'linux' }),
    profiles: {
      list: () => [profile],
      add,
      remove: (id) => (events.push(`remove ${id}`), { ok: true, value: null }),
    },
    signIns: {
      signIn: async () => ({ ok: false, error: { code: 'CANCELLED', message: 'x' } }),
      cancel: () => null,
      accessToken: async () => ({ ok: false, error: { code: 'SIGNED_OUT', message: 'x' } }),
      signOut: async (id) => (events.push(`signOut ${id}`), { ok: true, value: null }),
    },
    secretStorage: { mode: 'memory', message: 'kept in memory' },
    onBrokersChanged: () => events.push('changed'),
  });
  return { backend, events };
}

describe('createDesktopBackend', () => {
  it('lists the profiles with where their secrets are kept', async () => {
    const { backend } = setup(async () => ({ ok: true, value: profile }));
    expect(await backend[desktopChannels.listProfiles]()).toEqual({
      profiles: [profile],
      secretStorage: { mode: 'memory', message: 'kept in memory' },
    });
  });

  it('reloads the page after a broker is added or removed; removal signs out first', async () => {
    const { backend, events } = setup(async () => ({ ok: true, value: profile }));
    await backend[desktopChannels.addProfile]({ name: 'Lab', url: profile.url, trust: { kind: 'confirm' } });
    await backend[desktopChannels.removeProfile](profileId);
    expect(events).toEqual(['changed', `signOut ${profileId}`, `remove ${profileId}`, 'changed']);
  });

  it('answers a damaged profiles file as STORAGE with its guidance', async () => {
    const { backend, events } = setup(() => {
      throw new ProfileStoreError('profiles.json is damaged; move it away');
    });
    expect(await backend[desktopChannels.addProfile]({ name: 'x', url: 'y', trust: { kind: 'confirm' } })).toEqual({
      ok: false,
      error: { code: 'STORAGE', message: 'profiles.json is damaged; move it away' },
    });
    expect(events).toEqual([]);
  });
});
