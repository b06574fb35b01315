import { describe, expect, it } from 'vitest';
import { resolveRendererEntry } from './rendererEntry';

const rendererDir = '/opt/Fleetterm/resources/app/out/renderer';
const appEntry = { kind: 'app', rendererDir, url: 'app://fleetterm/index.html' };

describe('resolveRendererEntry', () => {
  it('loads the built page through the app scheme when no dev server is given', () => {
    expect(resolveRendererEntry({ isPackaged: false, devServerUrl: undefined, rendererDir })).toEqual({
      entry: appEntry,
      warning: null,
    });
    expect(resolveRendererEntry({ isPackaged: false, devServerUrl: '', rendererDir }).entry).toEqual(appEntry);
  });

  it('uses a loopback dev server while developing', () => {
    for (const url of ['http://localhost:5173/', 'http://127.0.0.1:5173/', 'http://[::1]:5173/']) {
      expect(resolveRendererEntry({ isPackaged: false, devServerUrl: url, rendererDir }), url).toEqual({
        entry: { kind: 'dev-server', url },
        warning: null,
      });
    }
  });

  it('ignores the dev server variable in a packaged app, saying so', () => {
    const resolved = resolveRendererEntry({ isPackaged: true, devServerUrl: 'http://localhost:5173/', rendererDir });
    expect(resolved.entry).toEqual(appEntry);
    expect(resolved.warning).toMatch(/ignored in a packaged app/);
  });

  it('refuses a dev server that is not loopback http, saying so', () => {
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'javascript:alert(1)', 'nonsense']) {
      const resolved = resolveRendererEntry({ isPackaged: false, devServerUrl: url, rendererDir });
      expect(resolved.entry, url).toEqual(appEntry);
      expect(resolved.warning, url).toMatch(/must be an http:\/\/ URL on loopback/);
    }
  });
});
