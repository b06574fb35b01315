import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { desktopChannels, type AppInfo } from '../common/desktopApi';
import { DesktopIpcError, registerDesktopIpc, type DesktopBackend } from './desktopIpc';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

const appUrl = 'app://fleetterm/index.html';
const profileId = '0b9d3f5e-8d4c-4f7e-9a51-2f0c8e6d1a23';
const appInfo: AppInfo = {
  appVersion: '0.1.0',
  versions: { electron: '45.4.1', chrome: '144.0.0.0', node: '24.11.0' },
  platform: 'linux',
};
const done = { ok: true as const, value: null };

function setup() {
  const handlers = new Map<string, Handler>();
  const calls: unknown[][] = [];
  const record =
    <T>(name: string, answer: T) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
      return answer;
    };
  const backend: DesktopBackend = {
    [desktopChannels.getAppInfo]: () => appInfo,
    [desktopChannels.listProfiles]: record('list', {
      profiles: [],
      secretStorage: { mode: 'memory' as const, message: '' },
    }),
    [desktopChannels.addProfile]: record('add', {
      ok: false as const,
      error: { code: 'BAD_URL' as const, message: '' },
    }),
    [desktopChannels.removeProfile]: record('remove', done),
    [desktopChannels.signIn]: record('signIn', {
      ok: false as const,
      error: { code: 'CANCELLED' as const, message: '' },
    }),
    [desktopChannels.cancelSignIn]: record('cancel', null),
    [desktopChannels.getAccessToken]: record('token', {
      ok: false as const,
      error: { code: 'SIGNED_OUT' as const, message: '' },
    }),
    [desktopChannels.signOut]: record('signOut', done),
  };
  const ipcMain = {
    handle: (channel: string, handler: Handler) => void handlers.set(channel, handler),
    removeHandler: (channel: string) => void handlers.delete(channel),
  } as Pick<IpcMain, 'handle' | 'removeHandler'>;
  const registration = registerDesktopIpc(ipcMain, {
    backend,
    isTrustedSender: (url) => url.startsWith(`${appUrl}`),
  });
  const call = (channel: string, frameUrl: string | null, ...args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    const senderFrame = frameUrl === null ? null : { url: frameUrl };
    return handler({ senderFrame } as unknown as IpcMainInvokeEvent, ...args);
  };
  return { handlers, registration, call, calls };
}

describe('registerDesktopIpc', () => {
  it('registers a handler for every channel of the contract', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort()).toEqual(Object.values(desktopChannels).sort());
  });

  it('answers getAppInfo to the app page', async () => {
    const { call } = setup();
    expect(await call(desktopChannels.getAppInfo, `${appUrl}#/`)).toEqual(appInfo);
  });

  it('refuses a caller that is not the app page with FORBIDDEN, on every channel', () => {
    const { call, calls } = setup();
    for (const channel of Object.values(desktopChannels)) {
      expect(() => call(channel, 'https://evil.example/', profileId)).toThrow(DesktopIpcError);
      expect(() => call(channel, null, profileId)).toThrow(/^FORBIDDEN: /);
    }
    expect(calls).toEqual([]);
  });

  it('passes checked arguments on', () => {
    const { call, calls } = setup();
    call(desktopChannels.addProfile, appUrl, { name: 'Lab', url: 'https://lab.example', trust: { kind: 'confirm' } });
    call(desktopChannels.addProfile, appUrl, {
      name: 'Lab',
      url: 'https://lab.example',
      trust: { kind: 'caPin', pin: 'sha256/x' },
      signInMethod: 'window',
    });
    call(desktopChannels.signIn, appUrl, profileId);
    expect(calls.map((entry) => entry[0])).toEqual(['add', 'add', 'signIn']);
    expect(calls[2]).toEqual(['signIn', profileId]);
  });

  it('refuses every malformed argument with BAD_REQUEST, before main acts on it', () => {
    const { call, calls } = setup();
    const bad: [string, unknown[]][] = [
      [desktopChannels.getAppInfo, [{ sneaky: true }]],
      [desktopChannels.listProfiles, ['x']],
      [desktopChannels.signIn, []],
      [desktopChannels.signIn, ['../../etc/passwd']],
      [desktopChannels.signIn, [profileId, 'extra']],
      [desktopChannels.getAccessToken, [42]],
      [desktopChannels.signOut, [{ toString: () => profileId }]],
      [desktopChannels.removeProfile, [null]],
      [desktopChannels.cancelSignIn, ['']],
      [desktopChannels.addProfile, [{ name: 'x', url: 'https://a', trust: { kind: 'insecure' } }]],
      [desktopChannels.addProfile, [{ name: 'x', url: 'https://a', trust: { kind: 'confirm' }, admin: true }]],
      [desktopChannels.addProfile, [{ name: 'x'.repeat(101), url: 'https://a', trust: { kind: 'confirm' } }]],
      [desktopChannels.addProfile, [{ name: 'x', url: 'https://a', trust: { kind: 'confirm' }, signInMethod: 'x' }]],
      [desktopChannels.addProfile, [{ name: 'x', trust: { kind: 'confirm' } }]],
    ];
    for (const [channel, args] of bad) {
      expect(() => call(channel, appUrl, ...args), `${channel} ${JSON.stringify(args)}`).toThrow(/^BAD_REQUEST: /);
    }
    expect(calls).toEqual([]);
  });

  it('removes its handlers on dispose, idempotently', () => {
    const { handlers, registration } = setup();
    registration.dispose();
    registration.dispose();
    expect(handlers.size).toBe(0);
  });
});
