import type { App, Session, WebContents } from 'electron';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installAppSecurity } from './appSecurity';
import { createNavigationPolicy } from './navigationPolicy';

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0];

function setup(policyFor?: (contents: WebContents) => ReturnType<typeof createNavigationPolicy> | undefined) {
  const app = new EventEmitter();
  const session = {
    requestHandler: null as RequestHandler,
    checkHandler: null as CheckHandler,
    setPermissionRequestHandler(handler: RequestHandler) {
      this.requestHandler = handler;
    },
    setPermissionCheckHandler(handler: CheckHandler) {
      this.checkHandler = handler;
    },
  };
  const security = installAppSecurity({
    app: app as unknown as App,
    session,
    policy: createNavigationPolicy('app://fleetterm/index.html'),
    policyFor,
    openExternal: async () => {},
    onError: () => {},
  });
  return { app, session, security };
}

describe('installAppSecurity', () => {
  it('guards every webContents the app creates', () => {
    const { app } = setup();
    const contents = Object.assign(new EventEmitter(), {
      windowOpenHandler: null as unknown,
      setWindowOpenHandler(handler: unknown) {
        this.windowOpenHandler = handler;
      },
      isDestroyed: () => false,
    });
    app.emit('web-contents-created', {}, contents as unknown as WebContents);
    expect(contents.listenerCount('will-navigate')).toBe(1);
    expect(contents.windowOpenHandler).toBeTypeOf('function');
  });

  it("uses another page's own policy when it has one (the sign-in window)", () => {
    const signIn = createNavigationPolicy('https://broker.example.org/');
    const { app } = setup((contents) => ((contents as unknown as { signIn?: boolean }).signIn ? signIn : undefined));
    const make = (isSignIn: boolean) =>
      Object.assign(new EventEmitter(), { signIn: isSignIn, setWindowOpenHandler() {}, isDestroyed: () => false });
    const decide = (contents: EventEmitter, url: string) => {
      app.emit('web-contents-created', {}, contents as unknown as WebContents);
      let prevented = false;
      contents.emit('will-navigate', { url, preventDefault: () => (prevented = true) });
      return prevented ? 'deny' : 'allow';
    };
    expect(decide(make(true), 'https://broker.example.org/cli-login')).toBe('allow');
    expect(decide(make(false), 'https://broker.example.org/cli-login')).toBe('deny');
  });

  it('denies every web permission request and check', () => {
    const { session } = setup();
    const answers: boolean[] = [];
    session.requestHandler?.({} as WebContents, 'media', (granted) => answers.push(granted), {} as never);
    session.requestHandler?.({} as WebContents, 'notifications', (granted) => answers.push(granted), {} as never);
    expect(answers).toEqual([false, false]);
    expect(session.checkHandler?.(null, 'geolocation', 'file://', {} as never)).toBe(false);
  });

  it('undoes everything on dispose', () => {
    const { app, session, security } = setup();
    security.dispose();
    security.dispose();
    expect(app.listenerCount('web-contents-created')).toBe(0);
    expect(session.requestHandler).toBeNull();
    expect(session.checkHandler).toBeNull();
  });
});
