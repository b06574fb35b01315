import { describe, expect, it } from 'vitest';
import { buildAppInfo } from './appInfo';

describe('buildAppInfo', () => {
  it('reports the app version, the runtime versions and the platform', () => {
    expect(
      buildAppInfo({
        appVersion: '0.1.0',
        versions: { electron: '45.4.1', chrome: '144.0.0.0', node: '24.11.0', v8: '14.4' },
        platform: 'linux',
      }),
    ).toEqual({
      appVersion: '0.1.0',
      versions: { electron: '45.4.1', chrome: '144.0.0.0', node: '24.11.0' },
      platform: 'linux',
    });
  });

  it('reads unknown for a version the runtime does not report (plain Node has no electron or chrome)', () => {
    expect(buildAppInfo({ appVersion: '0.1.0', versions: { node: '20.20.0' }, platform: 'linux' }).versions).toEqual({
      electron: 'unknown',
      chrome: 'unknown',
      node: '20.20.0',
    });
  });
});
