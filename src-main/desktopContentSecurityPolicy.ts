import { rendererContentSecurityPolicy } from '../common/contentSecurityPolicy';

/**
 * The policy main sends as a header with the app page (appProtocol.ts). A
 * page enforces every policy it gets, so this one narrows the <meta>
 * policy that the page shares with the web console: `connect-src` names
 * only the brokers the person added (https → wss, http → ws on loopback),
 * not any https: host. It is computed when the page loads; adding or
 * removing a broker reloads the page (docs/DESKTOP.md). A header can also
 * carry frame-ancestors, which a <meta> tag cannot.
 */
export function desktopContentSecurityPolicy(brokerUrls: readonly string[]): string {
  const origins = new Set<string>();
  for (const url of brokerUrls) {
    const parsed = parseHttpUrl(url);
    if (!parsed) continue;
    origins.add(parsed.origin);
    origins.add(`${parsed.protocol === 'https:' ? 'wss:' : 'ws:'}//${parsed.host}`);
  }
  const directives = rendererContentSecurityPolicy
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '')
    .map((directive) =>
      directive.split(/\s+/)[0] === 'connect-src' ? ['connect-src', "'self'", ...origins].join(' ') : directive,
    );
  return [...directives, "frame-ancestors 'none'"].join('; ');
}

function parseHttpUrl(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : null;
  } catch {
    return null;
  }
}
