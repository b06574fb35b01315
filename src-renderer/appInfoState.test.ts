import { describe, expect, it } from 'vitest';
import { describeAppInfo } from './appInfoState';

describe('describeAppInfo', () => {
  it('says when the page runs in a browser as the web console', () => {
    expect(describeAppInfo({ kind: 'browser' })).toBe('Web console (running in a browser, not the desktop app)');
  });

  it('shows the app and runtime versions once the desktop app answered', () => {
    expect(
      describeAppInfo({
        kind: 'ready',
        info: {
          appVersion: '0.1.0',
          versions: { electron: '45.4.1', chrome: '144.0.0.0', node: '24.11.0' },
          platform: 'linux',
        },
      }),
    ).toBe('Fleetterm 0.1.0 · Electron 45.4.1 · Chromium 144.0.0.0 · Node 24.11.0 · linux');
  });

  it('says why the version is missing when the desktop app refused', () => {
    expect(describeAppInfo({ kind: 'failed', message: 'FORBIDDEN: nope' })).toBe(
      'Fleetterm desktop (version unavailable: FORBIDDEN: nope)',
    );
  });
});
