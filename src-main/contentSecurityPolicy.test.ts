import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildContentSecurityPolicy,
  developmentContentSecurityPolicy,
  rendererContentSecurityPolicy,
  webConsoleContentSecurityPolicyHeader,
} from '../common/contentSecurityPolicy';

/** Directive name → sources, as a browser reads the policy. */
function parsePolicy(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The sources that govern scripts: script-src, or default-src when absent. */
function scriptSources(policy: string): string[] {
  const directives = parsePolicy(policy);
  return directives.get('script-src') ?? directives.get('default-src') ?? [];
}

describe('the renderer content security policy', () => {
  const policy = parsePolicy(rendererContentSecurityPolicy);

  it('runs only scripts bundled with the app: no inline code, no eval, no remote hosts', () => {
    expect(scriptSources(rendererContentSecurityPolicy)).toEqual(["'self'"]);
    expect(rendererContentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|unsafe-hashes/);
    expect(rendererContentSecurityPolicy).not.toMatch(/'nonce-|'sha(256|384|512)-|'strict-dynamic'/);
  });

  it('falls back to the app itself for anything not listed', () => {
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it('loads no plugins, frames or forms and forbids <base>', () => {
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-src')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
  });

  it('allows no wildcard, data: or blob: source anywhere code or markup could come from', () => {
    for (const name of ['default-src', 'script-src', 'style-src', 'object-src', 'frame-src', 'font-src', 'img-src']) {
      for (const source of policy.get(name) ?? []) {
        expect(source, `${name} ${source}`).not.toMatch(/^\*$|^(data|blob|http|https|ws|wss|filesystem):$/);
      }
    }
  });

  it('connects to brokers over TLS anywhere, and over plain http/ws only on loopback', () => {
    const connect = policy.get('connect-src') ?? [];
    expect(connect).toEqual(expect.arrayContaining(["'self'", 'https:', 'wss:']));
    expect(connect).not.toContain('http:');
    expect(connect).not.toContain('ws:');
    expect(connect).not.toContain('*');
    for (const source of connect.filter((s) => s.startsWith('http://') || s.startsWith('ws://'))) {
      expect(new URL(source.replace(':*', '')).hostname, source).toMatch(/^(127\.0\.0\.1|localhost)$/);
    }
  });

  it('leaves out frame-ancestors, which browsers ignore in a <meta> tag', () => {
    expect(policy.has('frame-ancestors')).toBe(false);
  });
});

describe('the header variant for the web console', () => {
  it('is the meta policy plus frame-ancestors none', () => {
    expect(webConsoleContentSecurityPolicyHeader).toBe(`${rendererContentSecurityPolicy}; frame-ancestors 'none'`);
  });
});

describe('the development variant', () => {
  it('only adds unsafe-inline for styles, which the Vite dev server injects as <style> tags', () => {
    const dev = parsePolicy(developmentContentSecurityPolicy);
    const prod = parsePolicy(rendererContentSecurityPolicy);
    expect([...dev.keys()]).toEqual([...prod.keys()]);
    for (const [name, sources] of dev) {
      const extra = sources.filter((source) => !(prod.get(name) ?? []).includes(source));
      expect(extra, name).toEqual(name === 'style-src' ? ["'unsafe-inline'"] : []);
    }
  });

  it('is never what a build ships', () => {
    expect(buildContentSecurityPolicy({ delivery: 'meta', mode: 'production' })).toBe(rendererContentSecurityPolicy);
    expect(rendererContentSecurityPolicy).not.toBe(developmentContentSecurityPolicy);
  });
});

describe('src-renderer/index.html', () => {
  const html = readFileSync(fileURLToPath(new URL('../src-renderer/index.html', import.meta.url)), 'utf8');
  const metas = [...html.matchAll(/<meta\s[^>]*http-equiv="Content-Security-Policy"[^>]*>/gi)].map((match) => match[0]);

  it('carries exactly one CSP meta tag, equal to rendererContentSecurityPolicy', () => {
    expect(metas).toHaveLength(1);
    const content = /content="([^"]*)"/.exec(metas[0] ?? '')?.[1];
    expect(content?.replace(/\s+/g, ' ').trim()).toBe(rendererContentSecurityPolicy);
  });

  it('puts the policy before any script or stylesheet, so it governs all of them', () => {
    const policyAt = html.search(/http-equiv="Content-Security-Policy"/i);
    const firstResource = html.search(/<script|<link/i);
    expect(policyAt).toBeGreaterThan(0);
    expect(firstResource === -1 || policyAt < firstResource).toBe(true);
  });

  it('has no inline script, which the policy would block anyway', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body?.trim()).toBe('');
    }
  });
});
