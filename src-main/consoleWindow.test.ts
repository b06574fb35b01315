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
  maximized = false;
  show(): void {
    this.shown = true;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds() {
    return { x: 5, y: 6, width: 700, height: 500 };
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(`url ${url}`);
    return this.loadResult;
  }
}

function open(
  entry: RendererEntry,
  loadResult: Promise<void> = Promise.resolve(),
  placement?: { bounds: { x: number; y: number; width: number; height: number }; maximized: boolean },
) {
  const errors: string[] = [];
  const saved: unknown[] = [];
  let created: FakeWindow | undefined;
  openConsoleWindow({
    createWindow: (options) => {
      created = new FakeWindow(options, loadResult);
      return created as unknown as BrowserWindow;
    },
    entry,
    preloadPath: '/app/out/preload/index.cjs',
    placement,
    onClose: (state) => saved.push(state),
    onError: (message) => errors.push(message),
  });
  if (!created) throw new Error('no window was created');
  return { window: created, errors, saved };
}

const appEntry: RendererEntry = { kind: 'app', rendererDir: '/app/out/renderer', url: 'app://fleetterm/index.html' };

describe('openConsoleWindow', () => {
  it('creates the window with the locked-down options and the preload', () => {
    const { window } = open(appEntry);
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
  });

  it('loads the built page through the app scheme, or the dev server', () => {
    expect(open(appEntry).window.loaded).toEqual(['url app://fleetterm/index.html']);
    expect(open({ kind: 'dev-server', url: 'http://localhost:5173/' }).window.loaded).toEqual([
      'url http://localhost:5173/',
    ]);
  });

  it('shows the window only once it has painted', () => {
    const { window } = open(appEntry);
    expect(window.shown).toBe(false);
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('reports a page that fails to load', async () => {
    const { errors } = open(appEntry, Promise.reject(new Error('ERR_FILE_NOT_FOUND')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual(['could not load the console from app://fleetterm/index.html']);
  });

  it('opens where it was, maximized again if it was, and reports its state as it closes', () => {
    const { window, saved } = open(appEntry, Promise.resolve(), {
      bounds: { x: 10, y: 20, width: 900, height: 600 },
      maximized: true,
    });
    expect(window.options).toMatchObject({ x: 10, y: 20, width: 900, height: 600 });
    window.emit('ready-to-show');
    expect(window.maximized).toBe(true);
    window.emit('close');
    expect(saved).toEqual([{ bounds: { x: 5, y: 6, width: 700, height: 500 }, maximized: true }]);
  });
});
