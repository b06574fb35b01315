import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { desktopChannels, type AppInfo } from '../common/desktopApi';
import { DesktopIpcError, registerDesktopIpc } from './desktopIpc';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

const appUrl = 'file:///app/out/renderer/index.html';
const appInfo: AppInfo = {
  appVersion: '0.1.0',
  versions: { electron: '45.4.1', chrome: '144.0.0.0', node: '24.11.0' },
  platform: 'linux',
};

function setup() {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: (channel: string, handler: Handler) => void handlers.set(channel, handler),
    removeHandler: (channel: string) => void handlers.delete(channel),
  } as Pick<IpcMain, 'handle' | 'removeHandler'>;
  const registration = registerDesktopIpc(ipcMain, {
    getAppInfo: () => appInfo,
    isTrustedSender: (url) => url.split('#')[0] === appUrl,
  });
  const call = (channel: string, frameUrl: string | null, ...args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    const senderFrame = frameUrl === null ? null : { url: frameUrl };
    return handler({ senderFrame } as unknown as IpcMainInvokeEvent, ...args);
  };
  return { handlers, registration, call };
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

  it('refuses a caller that is not the app page with FORBIDDEN', () => {
    const { call } = setup();
    expect(() => call(desktopChannels.getAppInfo, 'https://evil.example/')).toThrow(DesktopIpcError);
    expect(() => call(desktopChannels.getAppInfo, 'https://evil.example/')).toThrow(/^FORBIDDEN: /);
    expect(() => call(desktopChannels.getAppInfo, null)).toThrow(/^FORBIDDEN: /);
  });

  it('refuses unexpected arguments with BAD_REQUEST', () => {
    const { call } = setup();
    expect(() => call(desktopChannels.getAppInfo, appUrl, { sneaky: true })).toThrow(/^BAD_REQUEST: /);
  });

  it('removes its handlers on dispose, idempotently', () => {
    const { handlers, registration } = setup();
    registration.dispose();
    registration.dispose();
    expect(handlers.size).toBe(0);
  });
});
