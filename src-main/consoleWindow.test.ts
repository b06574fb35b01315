import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openConsoleWindow } from './consoleWindow';
import type { RendererEntry } from './rendererEntry';

class FakeWindow extends EventEmitter {
  shown = false;
  loaded: string[] = [];
  constructor(
    readonly options: BrowserWindowConstructorOptions,
    private readonly loadResult: Promise<void>,
  ) {
    super();
  }
  show(): void {
    this.shown = true;
  }
  loadFile(path: string): Promise<void> {
    this.loaded.push(`file ${path}`);
    return this.loadResult;
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(`url ${url}`);
    return this.loadResult;
  }
}

function open(entry: RendererEntry, loadResult: Promise<void> = Promise.resolve()) {
  const errors: string[] = [];
  let created: FakeWindow | undefined;
  openConsoleWindow({
    createWindow: (options) => {
      created = new FakeWindow(options, loadResult);
      return created as unknown as BrowserWindow;
    },
    entry,
    preloadPath: '/app/out/preload/index.cjs',
    onError: (message) => errors.push(message),
  });
  if (!created) throw new Error('no window was created');
  return { window: created, errors };
}

const fileEntry: RendererEntry = { kind: 'file', path: '/app/index.html', url: 'file:///app/index.html' };

describe('openConsoleWindow', () => {
  it('creates the window with the locked-down options and the preload', () => {
    const { window } = open(fileEntry);
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
  });

  it('loads the built page as a file, or the dev server as a URL', () => {
    expect(open(fileEntry).window.loaded).toEqual(['file /app/index.html']);
    expect(open({ kind: 'dev-server', url: 'http://localhost:5173/' }).window.loaded).toEqual([
      'url http://localhost:5173/',
    ]);
  });

  it('shows the window only once it has painted', () => {
    const { window } = open(fileEntry);
    expect(window.shown).toBe(false);
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('reports a page that fails to load', async () => {
    const { errors } = open(fileEntry, Promise.reject(new Error('ERR_FILE_NOT_FOUND')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual(['could not load the console from file:///app/index.html']);
  });
});
