import { describe, expect, it } from 'vitest';
import { rendererContentSecurityPolicy } from '../common/contentSecurityPolicy';
import { desktopContentSecurityPolicy } from './desktopContentSecurityPolicy';

const directive = (policy: string, name: string) =>
  policy
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([first]) => first === name)
    ?.slice(1);

describe('desktopContentSecurityPolicy', () => {
  it('lets the page connect to the added brokers only, over their own scheme', () => {
    const policy = desktopContentSecurityPolicy(['https://broker.example.org:7420', 'http://127.0.0.1:7420/prefix']);
    expect(directive(policy, 'connect-src')).toEqual([
      "'self'",
      'https://broker.example.org:7420',
      'wss://broker.example.org:7420',
      'http://127.0.0.1:7420',
      'ws://127.0.0.1:7420',
    ]);
  });

  it('connects nowhere but the app with no broker, and ignores what is not an http(s) URL', () => {
    const policy = desktopContentSecurityPolicy(['javascript:alert(1)', 'not a url', "https://x.example/'none'"]);
    expect(directive(policy, 'connect-src')).toEqual(["'self'", 'https://x.example', 'wss://x.example']);
    expect(directive(desktopContentSecurityPolicy([]), 'connect-src')).toEqual(["'self'"]);
  });

  it('keeps every other directive of the page policy and adds frame-ancestors', () => {
    const policy = desktopContentSecurityPolicy(['https://b.example']);
    for (const name of ['default-src', 'script-src', 'style-src', 'object-src', 'base-uri', 'form-action']) {
      expect(directive(policy, name), name).toEqual(directive(rendererContentSecurityPolicy, name));
    }
    expect(directive(policy, 'frame-ancestors')).toEqual(["'none'"]);
  });
});
