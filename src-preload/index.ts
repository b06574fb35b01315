// The one bridge between the console page and the main process. It runs
// sandboxed (built as CommonJS: a sandboxed preload cannot be an ES
// module) and exposes a single typed object, `window.fleetterm`. Never
// ipcRenderer itself: with it a compromised page could call any channel.
import { contextBridge, ipcRenderer } from 'electron';
import {
  desktopApiGlobalName,
  desktopChannels,
  type DesktopInvokeContract,
  type FleettermDesktopApi,
} from '../common/desktopApi';

/** Typed invoke: the channel decides the arguments and the result. */
function invoke<C extends keyof DesktopInvokeContract>(
  channel: C,
  ...args: DesktopInvokeContract[C]['args']
): Promise<DesktopInvokeContract[C]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<DesktopInvokeContract[C]['result']>;
}

const api: FleettermDesktopApi = {
  getAppInfo: () => invoke(desktopChannels.getAppInfo),
};

contextBridge.exposeInMainWorld(desktopApiGlobalName, api);
