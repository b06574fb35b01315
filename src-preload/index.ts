// The one bridge between the console page and the main process. It runs
// sandboxed (built as CommonJS: a sandboxed preload cannot be an ES
// module) and exposes a single typed object, `window.fleetterm`. Never
// ipcRenderer itself: with it a compromised page could call any channel.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  desktopApiGlobalName,
  desktopChannels,
  desktopEvents,
  isDesktopCommand,
  type DesktopCommand,
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
  listProfiles: () => invoke(desktopChannels.listProfiles),
  addProfile: (request) => invoke(desktopChannels.addProfile, request),
  removeProfile: (profileId) => invoke(desktopChannels.removeProfile, profileId),
  signIn: (profileId) => invoke(desktopChannels.signIn, profileId),
  cancelSignIn: (profileId) => invoke(desktopChannels.cancelSignIn, profileId),
  getAccessToken: (profileId) => invoke(desktopChannels.getAccessToken, profileId),
  signOut: (profileId) => invoke(desktopChannels.signOut, profileId),
  onCommand: (listener) => {
    // The page gets the command name only, never the IPC event (its sender could reach ipcRenderer).
    const forward = (_event: IpcRendererEvent, command: unknown): void => {
      if (isDesktopCommand(command)) listener(command satisfies DesktopCommand);
    };
    ipcRenderer.on(desktopEvents.command, forward);
    return () => void ipcRenderer.removeListener(desktopEvents.command, forward);
  },
};

contextBridge.exposeInMainWorld(desktopApiGlobalName, api);
