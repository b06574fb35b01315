import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { toDisposable } from '../common/disposable';
import type { NavigationPolicy } from './navigationPolicy';
import { createSignInNavigationPolicy, openSignInWindow, signInPartition, signInWindowOptions } from './signInWindow';

describe('the sign-in window options', () => {
  const options = signInWindowOptions({ partition: signInPartition('p1'), brokerName: 'Lab' });
  const web = options.webPreferences ?? {};

  it('runs the broker page sandboxed, isolated, without Node and without any preload', () => {
    expect(web).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect('preload' in web).toBe(false);
  });

  it('uses an in-memory session of its own, never the console page one', () => {
    expect(web.partition).toBe('fleetterm-sign-in-p1');
    expect(web.partition?.startsWith('persist:')).toBe(false);
    expect(options.title).toBe('Sign in to Lab');
  });
});

describe('the sign-in navigation policy', () => {
  const policy = createSignInNavigationPolicy('https://broker.example.org:7420', 'http://127.0.0.1:50123/callback');

  it('allows the broker sign-in origin and the exact loopback redirect', () => {
    expect(policy.decideNavigation('https://broker.example.org:7420/cli-login?x=1')).toEqual({ action: 'allow' });
    expect(policy.decideNavigation('http://127.0.0.1:50123/callback?code=c&state=s')).toEqual({ action: 'allow' });
  });

  it('keeps everything else out of the window; web pages go to the system browser', () => {
    for (const url of [
      'http://127.0.0.1:50123/other',
      'http://127.0.0.1:50124/callback',
      'http://broker.example.org:7420/',
      'https://broker.example.org:7421/',
      'https://user:pw@broker.example.org:7420/',
      'app://fleetterm/index.html',
      'file:///etc/passwd',
      'javascript:alert(1)',
    ]) {
      expect(policy.decideNavigation(url).action, url).toBe('deny');
    }
    expect(policy.decideNavigation('https://docs.example.org/')).toEqual({
      action: 'deny',
      openExternally: 'https://docs.example.org/',
    });
    expect(policy.decideWindowOpen('https://broker.example.org:7420/')).toEqual({
      action: 'deny',
      openExternally: null,
    });
  });
});

class FakeWindow extends EventEmitter {
  loaded: string[] = [];
  destroyed = false;
  constructor(
    readonly options: BrowserWindowConstructorOptions,
    private readonly loadResult: Promise<void>,
  ) {
    super();
  }
  show() {}
  loadURL(url: string) {
    this.loaded.push(url);
    return this.loadResult;
  }
  isDestroyed() {
    return this.destroyed;
  }
  close() {
    this.destroyed = true;
    this.emit('closed');
  }
}

function open(loadResult: Promise<void> = Promise.resolve()) {
  const prepared: { partition: string; policy: NavigationPolicy; disposed: boolean }[] = [];
  let window: FakeWindow | undefined;
  const handle = openSignInWindow(
    {
      createWindow: (options) => (window = new FakeWindow(options, loadResult)) as unknown as BrowserWindow,
      preparePartition: (partition, policy) => {
        const entry = { partition, policy, disposed: false };
        prepared.push(entry);
        return toDisposable(() => (entry.disposed = true));
      },
      brokerName: () => 'Lab',
      onError: () => {},
    },
    {
      profileId: 'p1',
      url: 'https://b.example/cli-login?state=s',
      consoleUrl: 'https://b.example',
      redirectUri: 'http://127.0.0.1:5/callback',
    },
  );
  return { handle, prepared, window: window! };
}

describe('openSignInWindow', () => {
  it('guards the partition before the page loads, and drops the guard when the window closes', async () => {
    const { handle, prepared, window } = open();
    expect(prepared[0]?.partition).toBe('fleetterm-sign-in-p1');
    expect(prepared[0]?.policy.isAppUrl('https://b.example/x')).toBe(true);
    expect(window.loaded).toEqual(['https://b.example/cli-login?state=s']);
    handle.close();
    handle.close();
    expect(await handle.closed).toEqual({ code: 'CANCELLED', message: 'the sign-in window was closed' });
    expect(prepared[0]?.disposed).toBe(true);
  });

  it('closes and says why when the page does not load (a refused certificate)', async () => {
    const { handle } = open(Promise.reject(new Error('ERR_CERT_AUTHORITY_INVALID')));
    expect(await handle.closed).toEqual({
      code: 'SIGN_IN_FAILED',
      message: 'the sign-in page did not load (ERR_CERT_AUTHORITY_INVALID)',
    });
  });
});
