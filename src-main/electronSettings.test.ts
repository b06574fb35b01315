// A static check of the Electron settings, run without the Electron
// runtime (electronegativity's idea in a few lines; the tool itself is
// unmaintained and cannot parse current TypeScript). The window options
// are tested in windowOptions.test.ts and signInWindow.test.ts; this test
// makes sure nothing else creates windows or loosens a setting.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = ['src-main', 'src-preload'].flatMap((folder) =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file) && !file.startsWith('testing'))
    .map((file) => ({ file: `${folder}/${file}`, text: readFileSync(join(root, folder, file), 'utf8') })),
);

describe('Electron settings in src-main and src-preload', () => {
  it('never loosens a security setting', () => {
    const loose = [
      /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/,
      /contextIsolation\s*:\s*false/,
      /sandbox\s*:\s*false/,
      /webSecurity\s*:\s*false/,
      /allowRunningInsecureContent\s*:\s*true/,
      /webviewTag\s*:\s*true/,
      /experimentalFeatures\s*:\s*true/,
      /enableBlinkFeatures/,
      /bypassCSP\s*:\s*true/,
      /setPermissionRequestHandler\([^)]*callback\(true\)/,
      /ignore-certificate-errors|rejectUnauthorized\s*:\s*false/,
      /(executeJavaScript|insertCSS)\(/,
    ];
    for (const { file, text } of sources) {
      for (const pattern of loose) expect(text, `${file} matches ${pattern}`).not.toMatch(pattern);
    }
  });

  it('sets webPreferences only in the two option builders, both on lockedDownWebPreferences', () => {
    const withPreferences = sources.filter(({ text }) => /webPreferences\s*:/.test(text)).map(({ file }) => file);
    expect(withPreferences.sort()).toEqual(['src-main/signInWindow.ts', 'src-main/windowOptions.ts']);
    for (const file of withPreferences) {
      const text = sources.find((source) => source.file === file)!.text;
      expect(text, file).toMatch(/webPreferences: \{ \.\.\.lockedDownWebPreferences\(\)/);
    }
  });

  it('creates windows only from those options (at most adding a parent)', () => {
    for (const { file, text } of sources) {
      for (const match of text.matchAll(/new BrowserWindow\(.*$/gm)) {
        expect(match[0], file).toMatch(/^new BrowserWindow\((options|\{ \.\.\.options, parent: \w+\(\) \})\)/);
      }
    }
  });

  it('exposes exactly one object from the preload and never ipcRenderer itself', () => {
    const preload = sources.find(({ file }) => file === 'src-preload/index.ts')!.text;
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(preload).not.toMatch(/sendSync|ipcRenderer\.send\(/);
  });
});
