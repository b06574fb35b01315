import { beforeAll, describe, expect, it, vi } from 'vitest';
import { desktopChannels, type FleettermDesktopApi } from '../common/desktopApi';

// The real `electron` module exists only inside Electron; the preload is
// driven here with stand-ins that record what it does with them.
const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), send: vi.fn(), on: vi.fn(), sendSync: vi.fn() },
}));
vi.mock('electron', () => electron);

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

  it('exposes only the typed API, never ipcRenderer or any of its methods', () => {
    expect(Object.keys(api)).toEqual(['getAppInfo']);
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

  it('sends nothing on its own', () => {
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.sendSync).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.on).not.toHaveBeenCalled();
  });
});
