import { describe, expect, it } from 'vitest';
import { resolveRendererEntry } from './rendererEntry';

const rendererDir = '/opt/Fleetterm/resources/app/out/renderer';
const fileEntry = {
  kind: 'file',
  path: '/opt/Fleetterm/resources/app/out/renderer/index.html',
  url: 'file:///opt/Fleetterm/resources/app/out/renderer/index.html',
};

describe('resolveRendererEntry', () => {
  it('loads the built page when no dev server is given', () => {
    expect(resolveRendererEntry({ isPackaged: false, devServerUrl: undefined, rendererDir })).toEqual({
      entry: fileEntry,
      warning: null,
    });
    expect(resolveRendererEntry({ isPackaged: false, devServerUrl: '', rendererDir }).entry).toEqual(fileEntry);
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
    expect(resolved.entry).toEqual(fileEntry);
    expect(resolved.warning).toMatch(/ignored in a packaged app/);
  });

  it('refuses a dev server that is not loopback http, saying so', () => {
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'javascript:alert(1)', 'nonsense']) {
      const resolved = resolveRendererEntry({ isPackaged: false, devServerUrl: url, rendererDir });
      expect(resolved.entry, url).toEqual(fileEntry);
      expect(resolved.warning, url).toMatch(/must be an http:\/\/ URL on loopback/);
    }
  });

  it('percent-encodes unusual characters in the file URL', () => {
    const resolved = resolveRendererEntry({ isPackaged: true, devServerUrl: undefined, rendererDir: '/home/a b/#out' });
    expect(resolved.entry.url).toBe('file:///home/a%20b/%23out/index.html');
  });
});
