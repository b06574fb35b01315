// Builds the desktop app into out/: out/main (Electron main, ES module),
// out/preload (CommonJS, see below) and out/renderer (the console page,
// which the broker will also serve as the web console).
// Our folders are src-main, src-preload and src-renderer rather than the
// template's src/main etc., so every input is explicit.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { developmentContentSecurityPolicy, rendererContentSecurityPolicy } from './common/contentSecurityPolicy';

const root = import.meta.dirname;

/**
 * The dev server injects CSS as <style> tags, which the strict policy
 * blocks. Only while serving, swap the page's policy for the dev one
 * (contentSecurityPolicy.ts says what it adds); a build keeps index.html
 * as written.
 */
function devContentSecurityPolicy(): Plugin {
  return {
    name: 'fleetterm:dev-content-security-policy',
    apply: 'serve',
    transformIndexHtml(html) {
      if (!html.includes(rendererContentSecurityPolicy)) {
        throw new Error('src-renderer/index.html does not carry rendererContentSecurityPolicy; update its <meta> tag');
      }
      return html.replace(rendererContentSecurityPolicy, developmentContentSecurityPolicy);
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        // A sandboxed preload is run as a classic script with a small
        // require(); it cannot be an ES module. `.cjs` keeps Node from
        // reading it as ESM under the package's "type": "module" too.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react(), devContentSecurityPolicy()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // electron-vite leaves builds unminified; this one also goes over the
      // network as the web console, where a third of the size matters.
      minify: true,
      rolldownOptions: {
        input: { index: resolve(root, 'src-renderer/index.html') },
      },
    },
  },
});
