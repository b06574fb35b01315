import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appScheme, createAppProtocolHandler } from './appProtocol';

const base = mkdtempSync(join(tmpdir(), 'fleetterm-app-protocol-'));
const rendererDir = join(base, 'renderer');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Fleetterm</title>');
writeFileSync(join(rendererDir, 'assets', 'index-1.js'), 'console.log(1)');
writeFileSync(join(rendererDir, 'assets', 'notes.txt'), 'not a console file type');
writeFileSync(join(base, 'secret.html'), 'outside the renderer folder');
afterAll(() => rmSync(base, { recursive: true, force: true }));

const handler = createAppProtocolHandler({ rendererDir, contentSecurityPolicy: () => "default-src 'self'" });
const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('the app:// scheme', () => {
  it('is a standard, secure scheme that does not bypass CSP or open itself to CORS', () => {
    expect(appScheme.scheme).toBe('app');
    expect(appScheme.privileges).toMatchObject({ standard: true, secure: true });
    expect(appScheme.privileges?.bypassCSP).toBeUndefined();
    expect(appScheme.privileges?.corsEnabled).toBeUndefined();
  });

  it('serves the page with the CSP header, and / as the page', async () => {
    for (const url of ['app://fleetterm/index.html', 'app://fleetterm/']) {
      const answer = await get(url);
      expect(answer.status, url).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('content-security-policy')).toBe("default-src 'self'");
      expect(await answer.text()).toContain('<title>Fleetterm</title>');
    }
  });

  it('serves the bundle with its type and nosniff, without a CSP', async () => {
    const answer = await get('app://fleetterm/assets/index-1.js');
    expect(answer.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toBeNull();
  });

  it('refuses paths out of the folder, other hosts, unknown types, missing files and writes', async () => {
    for (const url of [
      'app://fleetterm/../secret.html',
      'app://fleetterm/%2e%2e/secret.html',
      'app://fleetterm/assets/..%2f..%2fsecret.html',
      'app://fleetterm/assets%5c..%5c..%5csecret.html',
      'app://fleetterm/index.html%00.js',
      'app://other/index.html',
      'app://fleetterm/assets/notes.txt',
      'app://fleetterm/missing.js',
      'app://fleetterm/%E0%A4%A',
    ]) {
      const answer = await get(url);
      expect(answer.status, url).toBe(404);
      expect(await answer.text(), url).not.toContain('outside the renderer folder');
    }
    expect((await get('app://fleetterm/index.html', 'POST')).status).toBe(405);
  });
});
