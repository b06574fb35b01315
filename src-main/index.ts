// Electron main process entry: composes the modules next to it and starts.
// Logic lives in those modules, which import Electron's types only, so
// tests run them without the Electron runtime.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  type Session,
} from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { desktopAppScheme, desktopEvents, type DesktopCommand } from '../common/desktopApi';
import { toDisposable } from '../common/disposable';
import { KnownBrokers } from '../node-common/trust';
import { buildAppInfo } from './appInfo';
import { appScheme, createAppProtocolHandler } from './appProtocol';
import { buildApplicationMenu } from './applicationMenu';
import { installAppSecurity } from './appSecurity';
import { BrokerProfiles } from './brokerProfiles';
import { createCertificateVerifier } from './certificatePins';
import { openConsoleWindow } from './consoleWindow';
import { createDesktopBackend } from './desktopBackend';
import { addLocalBroker, LOCAL_BROKER_ENV } from './localBroker';
import { desktopContentSecurityPolicy } from './desktopContentSecurityPolicy';
import { registerDesktopIpc } from './desktopIpc';
import { fingerprintDialogOptions, TRUST_BUTTON } from './fingerprintDialog';
import { createNavigationPolicy, type NavigationPolicy } from './navigationPolicy';
import { ProfileStore } from './profileStore';
import { resolveRendererEntry } from './rendererEntry';
import { SecretVault } from './secretVault';
import { openSignInWindow } from './signInWindow';
import { SignIns } from './signIns';
import { loadWindowState, placeWindow, saveWindowState } from './windowState';

// Built layout: out/main/index.js, out/preload/index.cjs, out/renderer/index.html.
const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererDir = join(here, '../renderer');

const onError = (message: string, error: unknown): void => console.error(`fleetterm: ${message}`, error);

// Sandbox every renderer, even one created some day with other options.
app.enableSandbox();
// Before 'ready': app://fleetterm must be a standard, secure origin (appProtocol.ts).
protocol.registerSchemesAsPrivileged([appScheme]);

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
  const userData = app.getPath('userData');
  const windowStatePath = join(userData, 'window-state.json');
  // The sign-in windows' navigation policies, by their in-memory session (signInWindow.ts).
  const signInPolicies = new Map<Session, NavigationPolicy>();

  let consoleWindow: BrowserWindow | null = null;
  const liveConsole = () => (consoleWindow !== null && !consoleWindow.isDestroyed() ? consoleWindow : undefined);
  const showConsole = (): void => {
    const existing = liveConsole();
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.focus();
      return;
    }
    const displays = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((display) => display.workArea);
    const placed = placeWindow(loadWindowState(windowStatePath), displays);
    consoleWindow = openConsoleWindow({
      createWindow: (options) => new BrowserWindow(options),
      entry,
      preloadPath,
      placement: { bounds: placed.bounds ?? placed.size, maximized: placed.maximized },
      onClose: (state) => saveWindowState(windowStatePath, state, onError),
      onError,
    });
    consoleWindow.on('closed', () => (consoleWindow = null));
  };
  const sendCommand = (command: DesktopCommand): void =>
    liveConsole()?.webContents.send(desktopEvents.command, command);

  app
    .whenReady()
    .then(async () => {
      // After 'ready': safeStorage answers only then on Linux.
      const vault = new SecretVault(safeStorage, {
        platform: process.platform,
        plaintextOptIn: app.commandLine.hasSwitch('insecure-plaintext-secrets'),
      });
      const store = new ProfileStore(join(userData, 'profiles.json'), vault);
      const profiles = new BrokerProfiles({
        store,
        knownBrokers: new KnownBrokers(join(userData, 'known_brokers.json')),
        confirmRoots: async (_fingerprints, { broker, roots }) => {
          const options = fingerprintDialogOptions(broker, roots);
          const parent = liveConsole();
          const answer = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
          return answer.response === TRUST_BUTTON;
        },
        pickCaFile: async () => {
          const options = {
            title: "Choose the broker's CA file",
            properties: ['openFile' as const],
            filters: [{ name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] }],
          };
          const parent = liveConsole();
          const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
          return picked.canceled ? null : (picked.filePaths[0] ?? null);
        },
      });
      const verifyCertificate = createCertificateVerifier({
        rootsForHost: (hostname) => profiles.rootsForHost(hostname),
        onRefused: (hostname, reason) => onError(`refused the certificate of ${hostname}`, reason),
      });
      session.defaultSession.setCertificateVerifyProc(verifyCertificate);
      protocol.handle(
        desktopAppScheme,
        createAppProtocolHandler({
          rendererDir,
          contentSecurityPolicy: () => desktopContentSecurityPolicy(profiles.brokerUrls()),
        }),
      );
      installAppSecurity({
        app,
        session: session.defaultSession,
        policy,
        policyFor: (contents) => signInPolicies.get(contents.session),
        openExternal: (url) => shell.openExternal(url),
        onError,
      });

      const preparedSessions = new Set<Session>();
      const signIns = new SignIns({
        store,
        profiles,
        platform: process.platform,
        openBrowser: (url) => shell.openExternal(url),
        openWindow: (request) =>
          openSignInWindow(
            {
              createWindow: (options) => new BrowserWindow({ ...options, parent: liveConsole() }),
              preparePartition: (partition, navigation) => {
                const signInSession = session.fromPartition(partition);
                if (!preparedSessions.has(signInSession)) {
                  signInSession.setCertificateVerifyProc(verifyCertificate);
                  signInSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
                  signInSession.setPermissionCheckHandler(() => false);
                  preparedSessions.add(signInSession);
                }
                signInPolicies.set(signInSession, navigation);
                return toDisposable(() => {
                  if (signInPolicies.get(signInSession) === navigation) signInPolicies.delete(signInSession);
                });
              },
              brokerName: (profileId) => store.get(profileId)?.name ?? 'the broker',
              onError,
            },
            request,
          ),
      });
      registerDesktopIpc(ipcMain, {
        backend: createDesktopBackend({
          getAppInfo: () =>
            buildAppInfo({ appVersion: app.getVersion(), versions: process.versions, platform: process.platform }),
          profiles,
          signIns,
          secretStorage: vault.status,
          // The page's CSP (a header, computed at load) names the brokers: load it again.
          onBrokersChanged: () => {
            if (entry.kind === 'app') setImmediate(() => liveConsole()?.webContents.reload());
          },
        }),
        isTrustedSender: policy.isAppUrl,
      });
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          buildApplicationMenu({
            platform: process.platform,
            appName: app.name,
            isPackaged: app.isPackaged,
            send: sendCommand,
          }),
        ),
      );
      const localWarning = await addLocalBroker(process.env[LOCAL_BROKER_ENV], profiles);
      if (localWarning !== null) console.warn(`fleetterm: ${localWarning}`);
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
