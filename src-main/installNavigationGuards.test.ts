import type { HandlerDetails, WebContents, WindowOpenHandlerResponse } from 'electron';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installNavigationGuards } from './installNavigationGuards';
import { createNavigationPolicy } from './navigationPolicy';

const appUrl = 'file:///app/out/renderer/index.html';

/** Just enough of WebContents for the guards: events, the window-open handler, isDestroyed. */
class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;
  destroyed = false;

  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Emits a navigation event the way Electron does; returns whether it was prevented. */
  attempt(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string, isMainFrame = true): boolean {
    let prevented = false;
    this.emit(event, { url, isMainFrame, preventDefault: () => (prevented = true) });
    return prevented;
  }

  open(url: string): WindowOpenHandlerResponse | undefined {
    return this.windowOpenHandler?.({ url } as HandlerDetails);
  }
}

function setup(openExternal: (url: string) => Promise<void> = async () => {}) {
  const contents = new FakeWebContents();
  const opened: string[] = [];
  const errors: string[] = [];
  const guards = installNavigationGuards(contents as unknown as WebContents, {
    policy: createNavigationPolicy(appUrl),
    openExternal: (url) => {
      opened.push(url);
      return openExternal(url);
    },
    onError: (message) => errors.push(message),
  });
  return { contents, opened, errors, guards };
}

describe('installNavigationGuards', () => {
  it('lets the window reload the app page', () => {
    const { contents, opened } = setup();
    expect(contents.attempt('will-navigate', `${appUrl}#/machines`)).toBe(false);
    expect(opened).toEqual([]);
  });

  it('stops navigation to a web page and opens it in the system browser', () => {
    const { contents, opened } = setup();
    expect(contents.attempt('will-navigate', 'https://example.com/')).toBe(true);
    expect(opened).toEqual(['https://example.com/']);
  });

  it('stops navigation to a local file or a script URL and opens nothing', () => {
    const { contents, opened } = setup();
    expect(contents.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.attempt('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(opened).toEqual([]);
  });

  it('stops a redirect away from the app without opening it anywhere', () => {
    const { contents, opened } = setup();
    expect(contents.attempt('will-redirect', 'https://example.com/')).toBe(true);
    expect(opened).toEqual([]);
  });

  it('stops subframes from leaving the app, and leaves main-frame decisions to will-navigate', () => {
    const { contents, opened } = setup();
    expect(contents.attempt('will-frame-navigate', 'https://example.com/', false)).toBe(true);
    expect(contents.attempt('will-frame-navigate', 'https://example.com/', true)).toBe(false);
    expect(opened).toEqual([]);
  });

  it('refuses to attach a <webview>', () => {
    const { contents } = setup();
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });

  it('denies every window.open, opening web links in the system browser instead', () => {
    const { contents, opened } = setup();
    expect(contents.open('https://example.com/help')).toEqual({ action: 'deny' });
    expect(contents.open(appUrl)).toEqual({ action: 'deny' });
    expect(contents.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/help']);
  });

  it('reports a failed openExternal instead of throwing', async () => {
    const { contents, errors } = setup(() => Promise.reject(new Error('no browser')));
    contents.attempt('will-navigate', 'https://example.com/');
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual(['could not open https://example.com/ in the system browser']);
  });

  it('removes its listeners on dispose, idempotently, and keeps denying window.open', () => {
    const { contents, guards } = setup();
    guards.dispose();
    guards.dispose();
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview']) {
      expect(contents.listenerCount(event), event).toBe(0);
    }
    expect(contents.open('https://example.com/')).toEqual({ action: 'deny' });
  });
});
