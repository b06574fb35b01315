import { describe, expect, it } from 'vitest';
import { createNavigationPolicy, externalUrl } from './navigationPolicy';

describe('navigation policy for the built app (file://)', () => {
  const policy = createNavigationPolicy('file:///opt/Fleetterm/resources/app/out/renderer/index.html');

  it('allows the app page itself, with any hash or query', () => {
    expect(policy.decideNavigation('file:///opt/Fleetterm/resources/app/out/renderer/index.html')).toEqual({
      action: 'allow',
    });
    expect(policy.decideNavigation('file:///opt/Fleetterm/resources/app/out/renderer/index.html#/machines')).toEqual({
      action: 'allow',
    });
    expect(policy.isAppUrl('file:///opt/Fleetterm/resources/app/out/renderer/index.html?tab=2')).toBe(true);
  });

  it('denies any other local file, and opens nothing for it', () => {
    expect(policy.decideNavigation('file:///etc/passwd')).toEqual({ action: 'deny', openExternally: null });
    expect(policy.decideNavigation('file:///opt/Fleetterm/resources/app/out/renderer/other.html')).toEqual({
      action: 'deny',
      openExternally: null,
    });
  });

  it('denies web pages in the window and hands them to the system browser', () => {
    expect(policy.decideNavigation('https://example.com/docs')).toEqual({
      action: 'deny',
      openExternally: 'https://example.com/docs',
    });
    expect(policy.decideNavigation('http://127.0.0.1:7420/')).toEqual({
      action: 'deny',
      openExternally: 'http://127.0.0.1:7420/',
    });
  });

  it('denies script, data and other schemes without opening anything', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://example.com/',
      'smb://server/share',
      'ms-settings:',
      'not a url',
      '',
    ]) {
      expect(policy.decideNavigation(url), url).toEqual({ action: 'deny', openExternally: null });
    }
  });
});

describe('navigation policy for the built app (app://fleetterm)', () => {
  const policy = createNavigationPolicy('app://fleetterm/index.html');

  it('allows the app origin, any path, hash or query', () => {
    expect(policy.decideNavigation('app://fleetterm/index.html#/tabs')).toEqual({ action: 'allow' });
    expect(policy.isAppUrl('app://fleetterm/')).toBe(true);
  });

  it('treats other hosts of the scheme and every opaque-origin URL as foreign', () => {
    for (const url of [
      'app://fleetterm.evil/index.html',
      'app://other/index.html',
      'javascript:alert(1)',
      'data:text/html,x',
      'about:blank',
      'file:///app/index.html',
    ]) {
      expect(policy.isAppUrl(url), url).toBe(false);
      expect(policy.decideNavigation(url), url).toEqual({ action: 'deny', openExternally: null });
    }
  });

  it('hands web pages to the system browser', () => {
    expect(policy.decideNavigation('https://broker.example.org/')).toEqual({
      action: 'deny',
      openExternally: 'https://broker.example.org/',
    });
  });
});

describe('navigation policy for the dev server', () => {
  const policy = createNavigationPolicy('http://localhost:5173/');

  it('allows the dev server origin, any path', () => {
    expect(policy.decideNavigation('http://localhost:5173/')).toEqual({ action: 'allow' });
    expect(policy.decideNavigation('http://localhost:5173/some/route')).toEqual({ action: 'allow' });
  });

  it('treats another port, host or scheme as foreign', () => {
    expect(policy.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(policy.isAppUrl('http://127.0.0.1:5173/')).toBe(false);
    expect(policy.isAppUrl('https://localhost:5173/')).toBe(false);
    expect(policy.decideNavigation('http://localhost.evil.example:5173/')).toEqual({
      action: 'deny',
      openExternally: 'http://localhost.evil.example:5173/',
    });
  });
});

describe('window.open', () => {
  const policy = createNavigationPolicy('file:///app/out/renderer/index.html');

  it('is always denied, even for the app page', () => {
    expect(policy.decideWindowOpen('file:///app/out/renderer/index.html')).toEqual({
      action: 'deny',
      openExternally: null,
    });
    expect(policy.decideWindowOpen('about:blank')).toEqual({ action: 'deny', openExternally: null });
  });

  it('sends http(s) links to the system browser instead', () => {
    expect(policy.decideWindowOpen('https://github.com/fleetterm')).toEqual({
      action: 'deny',
      openExternally: 'https://github.com/fleetterm',
    });
  });

  it('opens nothing for non-web schemes', () => {
    expect(policy.decideWindowOpen('file:///etc/passwd')).toEqual({ action: 'deny', openExternally: null });
    expect(policy.decideWindowOpen('javascript:void(0)')).toEqual({ action: 'deny', openExternally: null });
  });
});

describe('externalUrl', () => {
  it('accepts http and https and normalises the URL', () => {
    expect(externalUrl('HTTPS://Example.COM/a b')).toBe('https://example.com/a%20b');
    expect(externalUrl('http://example.com')).toBe('http://example.com/');
  });

  it('refuses URLs that carry credentials', () => {
    expect(externalUrl('https://user:secret@example.com/')).toBeNull();
    expect(externalUrl('https://broker.example@evil.example/')).toBeNull();
  });

  it('refuses every other scheme', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'mailto:a@b.c', 'vscode://x', 'chrome://gpu']) {
      expect(externalUrl(url), url).toBeNull();
    }
  });
});

describe('createNavigationPolicy', () => {
  it('refuses an app URL that does not parse, instead of allowing everything', () => {
    expect(() => createNavigationPolicy('index.html')).toThrow(/not a valid URL/);
    expect(() => createNavigationPolicy('javascript:void(0)')).toThrow(/names no host/);
  });
});
