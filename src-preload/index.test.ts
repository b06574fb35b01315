import { beforeAll, describe, expect, it, vi } from 'vitest';
import { desktopChannels, desktopEvents, type DesktopCommand, type FleettermDesktopApi } from '../common/desktopApi';

// The real `electron` module exists only inside Electron; the preload is
// driven here with stand-ins that record what it does with them.
const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), send: vi.fn(), on: vi.fn(), removeListener: vi.fn(), sendSync: vi.fn() },
}));
vi.mock('electron', () => electron);

const profileId = '0b9d3f5e-8d4c-4f7e-9a51-2f0c8e6d1a23';

describe('the preload', () => {
  let api: FleettermDesktopApi;

  beforeAll(async () => {
    await import('./index');
    const [name, exposed] = electron.contextBridge.exposeInMainWorld.mock.calls[0] ?? [];
    expect(name).toBe('fleetterm');
    api = exposed as FleettermDesktopApi;
  });

  it('exposes exactly one object, as window.fleetterm', () => {
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  });

  it('sends nothing and listens to nothing on its own', () => {
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.sendSync).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.on).not.toHaveBeenCalled();
  });

  it('exposes only the typed API, never ipcRenderer or any of its methods', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'getAppInfo',
        'listProfiles',
        'addProfile',
        'removeProfile',
        'signIn',
        'cancelSignIn',
        'getAccessToken',
        'signOut',
        'onCommand',
      ].sort(),
    );
    for (const value of Object.values(api)) {
      expect(value).not.toBe(electron.ipcRenderer);
      for (const method of Object.values(electron.ipcRenderer)) expect(value).not.toBe(method);
    }
  });

  it('asks the main process for app info on its typed channel, with no arguments', async () => {
    const info = {
      appVersion: '0.1.0',
      versions: { electron: '45.4.1', chrome: '144', node: '24' },
      platform: 'linux',
    };
    electron.ipcRenderer.invoke.mockResolvedValueOnce(info);
    await expect(api.getAppInfo()).resolves.toEqual(info);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(desktopChannels.getAppInfo);
  });

  it('calls each profile and sign-in channel with its arguments only', async () => {
    electron.ipcRenderer.invoke.mockResolvedValue(null);
    const request = { name: 'Lab', url: 'https://lab.example', trust: { kind: 'confirm' as const } };
    await api.addProfile(request);
    await api.signIn(profileId);
    await api.getAccessToken(profileId);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(desktopChannels.addProfile, request);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(desktopChannels.signIn, profileId);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(desktopChannels.getAccessToken, profileId);
  });

  it('forwards menu commands of the closed set only, without the IPC event, until unsubscribed', () => {
    const received: DesktopCommand[] = [];
    const unsubscribe = api.onCommand((command) => received.push(command));
    const [channel, forward] = electron.ipcRenderer.on.mock.calls[0] as [string, (...args: unknown[]) => void];
    expect(channel).toBe(desktopEvents.command);
    forward({ sender: 'ipcRenderer' }, 'tab.new');
    forward({ sender: 'ipcRenderer' }, 'shell.exec');
    forward({ sender: 'ipcRenderer' }, { toString: () => 'tab.new' });
    expect(received).toEqual(['tab.new']);
    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(desktopEvents.command, forward);
  });
});
