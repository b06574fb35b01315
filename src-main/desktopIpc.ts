import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { desktopChannels, type AppInfo, type DesktopInvokeContract } from '../common/desktopApi';
import { DisposableStore, toDisposable, type Disposable } from '../common/disposable';

type Channel = keyof DesktopInvokeContract;

interface ChannelHandler<C extends Channel> {
  /** Checks the renderer's arguments; a compromised renderer may send anything. */
  validate(args: unknown[]): args is DesktopInvokeContract[C]['args'];
  handle(
    ...args: DesktopInvokeContract[C]['args']
  ): DesktopInvokeContract[C]['result'] | Promise<DesktopInvokeContract[C]['result']>;
}

type ChannelHandlers = { [C in Channel]: ChannelHandler<C> };

export interface DesktopIpcDeps {
  getAppInfo(): AppInfo;
  /** True when the calling frame shows the app itself (navigationPolicy.isAppUrl). */
  isTrustedSender(frameUrl: string): boolean;
}

/** The invoke errors the renderer may see; the message starts with the code, like the wire errors. */
export class DesktopIpcError extends Error {
  constructor(
    readonly code: 'FORBIDDEN' | 'BAD_REQUEST',
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'DesktopIpcError';
  }
}

/**
 * Registers a handler for every channel of the contract (the mapped type
 * makes a missing one a compile error) and returns a disposer that removes
 * them. Each call is checked twice: the sender must be the app's own page
 * (not a frame or a page it navigated to), and the arguments must match.
 */
export function registerDesktopIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  deps: DesktopIpcDeps,
): Disposable {
  const handlers: ChannelHandlers = {
    [desktopChannels.getAppInfo]: {
      validate: (args): args is [] => args.length === 0,
      handle: () => deps.getAppInfo(),
    },
  };

  const store = new DisposableStore();
  // Generic per channel, so each handler keeps its own argument and result types.
  const register = <C extends Channel>(channel: C, handler: ChannelHandler<C>): void => {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const frameUrl = event.senderFrame?.url ?? '';
      if (!deps.isTrustedSender(frameUrl)) {
        throw new DesktopIpcError('FORBIDDEN', `${channel} may be called only by the Fleetterm console page`);
      }
      if (!handler.validate(args)) {
        throw new DesktopIpcError('BAD_REQUEST', `${channel} got unexpected arguments; update the console`);
      }
      return handler.handle(...args);
    });
    store.add(toDisposable(() => ipcMain.removeHandler(channel)));
  };
  for (const channel of Object.keys(handlers) as Channel[]) register(channel, handlers[channel]);
  return store;
}
