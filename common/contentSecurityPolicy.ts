// The renderer's Content-Security-Policy: the last line of defence if
// something ever injects markup into the console (a machine name, a
// terminal title, a broker error message). The renderer ships only files
// from its own build, so it may run only those.
//
// The same string sits in `src-renderer/index.html` as a <meta> tag (a test
// keeps the two equal): a file:// page has no response headers to carry it,
// and the broker will serve the very same build as the web console.

interface Directive {
  name: string;
  sources: readonly string[];
  /** Extra sources for the Vite dev server only; never in a build. */
  devSources?: readonly string[];
  /** Browsers ignore these in a <meta> tag; only an HTTP header can carry them. */
  headerOnly?: boolean;
}

const directives: readonly Directive[] = [
  // Anything not listed below comes only from the app's own files.
  { name: 'default-src', sources: ["'self'"] },
  // Only bundled scripts: no inline <script>, no eval, no remote code. Even
  // in development: the dev server puts its inline React Refresh preamble
  // above this <meta> tag, where the policy does not reach yet.
  { name: 'script-src', sources: ["'self'"] },
  // Stylesheets from the build only. React's `style={...}` goes through the
  // CSSOM, which CSP allows; the dev server injects CSS as <style> tags.
  { name: 'style-src', sources: ["'self'"], devSources: ["'unsafe-inline'"] },
  { name: 'img-src', sources: ["'self'"] },
  { name: 'font-src', sources: ["'self'"] },
  // The console talks to a broker that may live anywhere, but only over TLS
  // (https:, wss:); plain http/ws only to loopback, the same rule the broker
  // and the client enforce. CSP cannot express an IPv6 literal such as
  // [::1], so a loopback broker is reached as 127.0.0.1 or localhost.
  {
    name: 'connect-src',
    sources: [
      "'self'",
      'https:',
      'wss:',
      'http://127.0.0.1:*',
      'ws://127.0.0.1:*',
      'http://localhost:*',
      'ws://localhost:*',
    ],
  },
  // No plugins, frames, forms or <base> rewriting: none is needed, each is
  // a classic way to run or leak content.
  { name: 'object-src', sources: ["'none'"] },
  { name: 'frame-src', sources: ["'none'"] },
  { name: 'form-action', sources: ["'none'"] },
  { name: 'base-uri', sources: ["'none'"] },
  // Nobody may frame the web console (clickjacking). Header only: a <meta>
  // tag cannot carry it, so the broker must send it as a header.
  { name: 'frame-ancestors', sources: ["'none'"], headerOnly: true },
];

export interface ContentSecurityPolicyOptions {
  /** `meta` leaves out the directives a <meta> tag cannot carry. */
  delivery: 'meta' | 'header';
  /** `development` adds what the Vite dev server needs; never ship it. */
  mode: 'production' | 'development';
}

export function buildContentSecurityPolicy(options: ContentSecurityPolicyOptions): string {
  return directives
    .filter((directive) => options.delivery === 'header' || !directive.headerOnly)
    .map((directive) => {
      const extra = options.mode === 'development' ? (directive.devSources ?? []) : [];
      return [directive.name, ...directive.sources, ...extra].join(' ');
    })
    .join('; ');
}

/** The policy in `src-renderer/index.html`. */
export const rendererContentSecurityPolicy = buildContentSecurityPolicy({ delivery: 'meta', mode: 'production' });

/** The policy the broker should send as a header when it serves the web console. */
export const webConsoleContentSecurityPolicyHeader = buildContentSecurityPolicy({
  delivery: 'header',
  mode: 'production',
});

/** What the dev server puts in place of the meta policy (see electron.vite.config.ts). */
export const developmentContentSecurityPolicy = buildContentSecurityPolicy({ delivery: 'meta', mode: 'development' });
