import { describe, expect, it } from 'vitest';
import { createWindowOptions } from './windowOptions';

describe('createWindowOptions', () => {
  const options = createWindowOptions({ preloadPath: '/app/out/preload/index.cjs' });
  const web = options.webPreferences ?? {};

  it('isolates the page from the preload world and runs it in the OS sandbox', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
  });

  it('gives the page, its workers and its frames no Node.js', () => {
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on: same-origin policy, no insecure content, no <webview>', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
  });

  it('enables no Blink features and turns no security setting off by name', () => {
    expect(web.enableBlinkFeatures).toBeUndefined();
    expect(web.disableBlinkFeatures).toBeUndefined();
  });

  it('loads the given preload script', () => {
    expect(web.preload).toBe('/app/out/preload/index.cjs');
  });

  it('waits for the first paint before showing the window', () => {
    expect(options.show).toBe(false);
    expect(options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('opens where the window was last time when given bounds, centred at the default size otherwise', () => {
    expect(options).toMatchObject({ width: 1280, height: 800 });
    expect(options.x).toBeUndefined();
    const placed = createWindowOptions({ preloadPath: '/a', bounds: { x: 10, y: 20, width: 900, height: 700 } });
    expect(placed).toMatchObject({ x: 10, y: 20, width: 900, height: 700 });
  });

  it('returns a fresh object each time, so one window cannot loosen another', () => {
    const first = createWindowOptions({ preloadPath: '/a' });
    const second = createWindowOptions({ preloadPath: '/b' });
    expect(first.webPreferences).not.toBe(second.webPreferences);
    expect(second.webPreferences?.preload).toBe('/b');
  });
});
