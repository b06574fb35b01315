// The desktop IPC contract: what the preload exposes to the renderer as
// `window.fleetterm`, and the channels it uses to ask the main process.
// Pure types and constants, so main, preload and renderer share one
// definition and the compiler catches a drift between them.

import { COMMAND_IDS, type CommandId } from './consoleCommands';

/**
 * The origin of the desktop app's page (`app://fleetterm/index.html`,
 * served by main from the built renderer). Brokers accept it by default in
 * their Origin allowlist and CORS answers: no web page can carry it, since
 * browsers never let a page choose its Origin (docs/DESKTOP.md).
 */
export const desktopAppScheme = 'app';
export const desktopAppHost = 'fleetterm';
export const desktopAppOrigin = `${desktopAppScheme}://${desktopAppHost}`;

/** Invoke channels, named `<area>:<verb>`, answered by the main process. */
export const desktopChannels = {
  getAppInfo: 'app:get-info',
  listProfiles: 'profiles:list',
  addProfile: 'profiles:add',
  removeProfile: 'profiles:remove',
  signIn: 'auth:sign-in',
  cancelSignIn: 'auth:cancel-sign-in',
  getAccessToken: 'auth:access-token',
  signOut: 'auth:sign-out',
} as const;

export type DesktopChannel = (typeof desktopChannels)[keyof typeof desktopChannels];

/** Channels main sends on, to the console page only. */
export const desktopEvents = {
  /** A menu item or its accelerator was used; the payload is one DesktopCommand. */
  command: 'menu:command',
} as const;

/**
 * What the application menu can ask the console to do: the console's own
 * commands (consoleCommands.ts), which the keyboard and the palette run too.
 * A closed set: the preload drops anything else.
 */
export const desktopCommands: readonly CommandId[] = COMMAND_IDS;

export type DesktopCommand = CommandId;

export function isDesktopCommand(value: unknown): value is DesktopCommand {
  return typeof value === 'string' && (desktopCommands as readonly string[]).includes(value);
}

/** What the main process reports about the running app. */
export interface AppInfo {
  /** The desktop app's own version (package.json `version`). */
  appVersion: string;
  /** Runtime versions, useful in bug reports. */
  versions: { electron: string; chrome: string; node: string };
  /** Node's `process.platform` of the desktop, e.g. `linux`, `darwin`, `win32`. */
  platform: string;
}

/**
 * Where the broker's sign-in page runs: a sandboxed app window, the system
 * browser, or `auto` (the window on Windows, whose own WebAuthn dialog
 * Electron uses; the system browser elsewhere, where Electron has no
 * authenticator UI for PINs or platform passkeys).
 */
export type SignInMethod = 'auto' | 'window' | 'browser';

export interface DesktopUser {
  id: string;
  name: string;
  displayName: string;
  role: string;
}

/** How the app trusts a broker: plain HTTP on loopback, or its CA pinned in main. */
export type ProfileTrust =
  { kind: 'plain' } | { kind: 'pinned'; fingerprints: string[]; source: 'confirmed' | 'ca-file' | 'ca-pin' };

/** One broker the desktop app knows. Secrets never cross to the renderer. */
export interface BrokerProfile {
  id: string;
  name: string;
  /** The broker's HTTP base, e.g. `https://broker.example.org:7420` (common/brokerUrl). */
  url: string;
  trust: ProfileTrust;
  signInMethod: SignInMethod;
  /** Who is signed in and until when the sign-in lasts (ms since epoch); null when signed out. */
  signedIn: { user: DesktopUser; until: number } | null;
}

/**
 * Where signed-in sessions are kept: `encrypted` with the OS keychain
 * (safeStorage), `memory` only while the app runs (no keychain, the safe
 * default), or `plaintext` on disk (only after the person opted in).
 */
export interface SecretStorageStatus {
  mode: 'encrypted' | 'memory' | 'plaintext';
  /** One sentence for the profiles screen. */
  message: string;
}

export interface ProfileList {
  profiles: BrokerProfile[];
  secretStorage: SecretStorageStatus;
}

/**
 * How to trust a new https:// broker's CA: show its fingerprint in a
 * native dialog (`confirm`), pick the admin's PEM file in a native dialog
 * (`caFile`), or a `sha256/…` pin typed in (`caPin`). Ignored for http://.
 */
export type AddProfileTrust = { kind: 'confirm' } | { kind: 'caFile' } | { kind: 'caPin'; pin: string };

export interface AddProfileRequest {
  name: string;
  url: string;
  trust: AddProfileTrust;
  signInMethod?: SignInMethod;
}

/** A short-lived access token for the renderer; main keeps the refresh secret. */
export interface AccessGrant {
  /** The broker's HTTP base the token is for. */
  brokerUrl: string;
  accessToken: string;
  /** ms since epoch; ask `getAccessToken` again before then (main refreshes a minute ahead). */
  accessExpiresAt: number;
  user: DesktopUser;
}

export type DesktopErrorCode =
  | 'BAD_URL'
  | 'DUPLICATE'
  | 'NOT_FOUND'
  | 'UNREACHABLE'
  | 'TRUST_REFUSED'
  | 'CA_CHANGED'
  | 'NOT_CONFIRMED'
  | 'CANCELLED'
  | 'SIGN_IN_FAILED'
  | 'SIGNED_OUT'
  | 'STORAGE';

/** A refusal the screens show as is: the message says what happened and what to do. */
export interface DesktopError {
  code: DesktopErrorCode;
  message: string;
}

export type DesktopResult<T> = { ok: true; value: T } | { ok: false; error: DesktopError };

/**
 * Arguments and result of each invoke channel. The preload calls only
 * these; the main process registers exactly these and validates the
 * arguments again (a compromised renderer may send anything).
 */
export interface DesktopInvokeContract {
  [desktopChannels.getAppInfo]: { args: []; result: AppInfo };
  [desktopChannels.listProfiles]: { args: []; result: ProfileList };
  [desktopChannels.addProfile]: { args: [request: AddProfileRequest]; result: DesktopResult<BrokerProfile> };
  [desktopChannels.removeProfile]: { args: [profileId: string]; result: DesktopResult<null> };
  [desktopChannels.signIn]: { args: [profileId: string]; result: DesktopResult<AccessGrant> };
  [desktopChannels.cancelSignIn]: { args: [profileId: string]; result: null };
  [desktopChannels.getAccessToken]: { args: [profileId: string]; result: DesktopResult<AccessGrant> };
  [desktopChannels.signOut]: { args: [profileId: string]; result: DesktopResult<null> };
}

/**
 * The one object the preload exposes as `window.fleetterm`. It exists only
 * inside the desktop app: the same renderer also runs in a plain browser
 * as the broker's web console, where `window.fleetterm` is undefined.
 */
export interface FleettermDesktopApi {
  /** Versions of the app and its runtime. */
  getAppInfo(): Promise<AppInfo>;
  /** The known brokers and where their sign-ins are kept. */
  listProfiles(): Promise<ProfileList>;
  /**
   * Adds a broker: checks the URL, reaches the broker and pins its CA (a
   * native dialog shows the fingerprint or asks for the CA file). Adding or
   * removing a broker reloads the page, whose CSP lists the brokers' origins.
   */
  addProfile(request: AddProfileRequest): Promise<DesktopResult<BrokerProfile>>;
  /** Signs out (best effort) and forgets the broker and its pinned CA. */
  removeProfile(profileId: string): Promise<DesktopResult<null>>;
  /** Runs the broker's sign-in page (window or system browser) and completes it with PKCE. */
  signIn(profileId: string): Promise<DesktopResult<AccessGrant>>;
  /** Gives up a sign-in that is waiting (its signIn answers CANCELLED). */
  cancelSignIn(profileId: string): Promise<null>;
  /** A live access token, refreshed by main when it ends within a minute; SIGNED_OUT when it cannot be. */
  getAccessToken(profileId: string): Promise<DesktopResult<AccessGrant>>;
  /** Ends the sign-in at the broker and forgets its secrets here. */
  signOut(profileId: string): Promise<DesktopResult<null>>;
  /** Menu commands for the console; returns the unsubscribe function. */
  onCommand(listener: (command: DesktopCommand) => void): () => void;
}

/** The global name under which the preload exposes the API. */
export const desktopApiGlobalName = 'fleetterm';
