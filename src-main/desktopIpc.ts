import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import { desktopChannels, type DesktopInvokeContract } from '../common/desktopApi';
import { DisposableStore, toDisposable, type Disposable } from '../common/disposable';

type Channel = keyof DesktopInvokeContract;

/** What main answers on each channel, with the arguments already checked. */
export type DesktopBackend = {
  [C in Channel]: (
    ...args: DesktopInvokeContract[C]['args']
  ) => DesktopInvokeContract[C]['result'] | Promise<DesktopInvokeContract[C]['result']>;
};

export interface DesktopIpcDeps {
  backend: DesktopBackend;
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

/** Profile ids are made by main (crypto.randomUUID). */
const ProfileId = z.uuid();
const AddProfileRequest = z.strictObject({
  name: z.string().max(100),
  url: z.string().min(1).max(2048),
  trust: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('confirm') }),
    z.strictObject({ kind: z.literal('caFile') }),
    z.strictObject({ kind: z.literal('caPin'), pin: z.string().max(200) }),
  ]),
  signInMethod: z.enum(['auto', 'window', 'browser']).optional(),
});

/**
 * The arguments each channel accepts, checked in main whatever the preload
 * sent: a compromised renderer may send anything. A tuple, so extra
 * arguments are refused too. The mapped type makes a missing channel a
 * compile error.
 */
const argumentSchemas: { [C in Channel]: z.ZodType<DesktopInvokeContract[C]['args']> } = {
  [desktopChannels.getAppInfo]: z.tuple([]),
  [desktopChannels.listProfiles]: z.tuple([]),
  [desktopChannels.addProfile]: z.tuple([AddProfileRequest]),
  [desktopChannels.removeProfile]: z.tuple([ProfileId]),
  [desktopChannels.signIn]: z.tuple([ProfileId]),
  [desktopChannels.cancelSignIn]: z.tuple([ProfileId]),
  [desktopChannels.getAccessToken]: z.tuple([ProfileId]),
  [desktopChannels.signOut]: z.tuple([ProfileId]),
};

/**
 * Registers a handler for every channel of the contract and returns a
 * disposer that removes them. Each call is checked twice: the sender must
 * be the app's own page (not a frame or a page it navigated to), and the
 * arguments must match the channel's schema.
 */
export function registerDesktopIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  deps: DesktopIpcDeps,
): Disposable {
  const store = new DisposableStore();
  // Generic per channel, so each handler keeps its own argument and result types.
  const register = <C extends Channel>(channel: C): void => {
    const schema = argumentSchemas[channel];
    const handle = deps.backend[channel] as DesktopBackend[C];
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const frameUrl = event.senderFrame?.url ?? '';
      if (!deps.isTrustedSender(frameUrl)) {
        throw new DesktopIpcError('FORBIDDEN', `${channel} may be called only by the Fleetterm console page`);
      }
      const parsed = schema.safeParse(args);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
        throw new DesktopIpcError('BAD_REQUEST', `${channel} got unexpected arguments${where}; update the console`);
      }
      return handle(...parsed.data);
    });
    store.add(toDisposable(() => ipcMain.removeHandler(channel)));
  };
  for (const channel of Object.keys(argumentSchemas) as Channel[]) register(channel);
  return store;
}
