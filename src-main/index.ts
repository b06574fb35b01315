// Electron main process entry: composes the modules next to it and starts.
// Logic lives in those modules, which import Electron's types only, so
// tests run them without the Electron runtime.
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppInfo } from './appInfo';
import { installAppSecurity } from './appSecurity';
import { openConsoleWindow } from './consoleWindow';
import { registerDesktopIpc } from './desktopIpc';
import { createNavigationPolicy } from './navigationPolicy';
import { resolveRendererEntry } from './rendererEntry';

// Built layout: out/main/index.js, out/preload/index.cjs, out/renderer/index.html.
const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererDir = join(here, '../renderer');

const onError = (message: string, error: unknown): void => console.error(`fleetterm: ${message}`, error);

// Sandbox every renderer, even one created some day with other options.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another console is running; it receives 'second-instance' and comes to the front.
  app.quit();
} else {
  start();
}

function start(): void {
  const { entry, warning } = resolveRendererEntry({
    isPackaged: app.isPackaged,
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
    rendererDir,
  });
  if (warning !== null) console.warn(`fleetterm: ${warning}`);
  const policy = createNavigationPolicy(entry.url);

  let consoleWindow: BrowserWindow | null = null;
  const showConsole = (): void => {
    if (consoleWindow !== null && !consoleWindow.isDestroyed()) {
      if (consoleWindow.isMinimized()) consoleWindow.restore();
      consoleWindow.focus();
      return;
    }
    consoleWindow = openConsoleWindow({
      createWindow: (options) => new BrowserWindow(options),
      entry,
      preloadPath,
      onError,
    });
    consoleWindow.on('closed', () => (consoleWindow = null));
  };

  app
    .whenReady()
    .then(() => {
      installAppSecurity({
        app,
        session: session.defaultSession,
        policy,
        openExternal: (url) => shell.openExternal(url),
        onError,
      });
      registerDesktopIpc(ipcMain, {
        getAppInfo: () =>
          buildAppInfo({ appVersion: app.getVersion(), versions: process.versions, platform: process.platform }),
        isTrustedSender: policy.isAppUrl,
      });
      showConsole();
      app.on('second-instance', showConsole);
      // macOS: clicking the dock icon with no window open shows the console again.
      app.on('activate', showConsole);
    })
    .catch((error: unknown) => {
      onError('could not start', error);
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    // macOS apps stay running without windows, by platform convention.
    if (process.platform !== 'darwin') app.quit();
  });
}
