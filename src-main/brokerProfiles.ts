import { parseBrokerUrl } from '../common/brokerUrl';
import type {
  AddProfileRequest,
  BrokerProfile,
  DesktopError,
  DesktopErrorCode,
  DesktopResult,
} from '../common/desktopApi';
import {
  brokerKey,
  decideBrokerTrust,
  requestJson,
  type ConfirmRoots,
  type KnownBrokers,
  type TrustAdvice,
  type TrustRefusalCode,
} from '../node-common/trust';
import type { ProfileStore, StoredProfile } from './profileStore';

/** How the CA warnings tell a desktop user to forget and re-pin a broker. */
export const DESKTOP_TRUST_ADVICE: TrustAdvice = {
  forget: (key) => `remove the broker ${key} from Fleetterm's broker list`,
  pin: (httpBase) => `add ${httpBase} again, with the CA file from the broker's admin`,
};

export interface BrokerProfilesDeps {
  store: ProfileStore;
  /** `<userData>/known_brokers.json`: the desktop app's pins, apart from the CLI's. */
  knownBrokers: KnownBrokers;
  /** Shows the CA fingerprints in a native dialog (fingerprintDialog.ts). */
  confirmRoots: ConfirmRoots;
  /** A native open dialog for the admin's PEM file; null when the person cancelled. */
  pickCaFile(): Promise<string | null>;
  now?: () => number;
}

/** What main's own requests to a broker need: its HTTP base and the pinned CA (undefined for http://). */
export interface BrokerConnection {
  httpBase: string;
  ca: string[] | undefined;
}

const fail = (code: DesktopErrorCode, message: string): { ok: false; error: DesktopError } => ({
  ok: false,
  error: { code, message },
});

/**
 * The desktop app's brokers and the CAs it pins for them: adding one
 * reaches it and pins its CA the same way `fleetterm trust` does
 * (node-common/trust), with native dialogs instead of a terminal. Also the
 * source of the pins that the certificate verifier enforces on the
 * windows' connections.
 */
export class BrokerProfiles {
  /** Host name → pinned PEM roots, for the certificate verifier; rebuilt after every change. */
  private pins = new Map<string, string[]>();
  /** Extra host names a broker's sign-in page lives on (its consoleUrl), by profile. */
  private readonly consoleHosts = new Map<string, string>();

  constructor(private readonly deps: BrokerProfilesDeps) {
    this.rebuildPins();
  }

  list(): BrokerProfile[] {
    return this.deps.store.list().map((profile) => this.describe(profile));
  }

  /** The profile as the renderer sees it, or undefined. */
  find(id: string): BrokerProfile | undefined {
    const profile = this.deps.store.get(id);
    return profile && this.describe(profile);
  }

  /** The HTTP bases of every broker, for the page's CSP. */
  brokerUrls(): string[] {
    return this.deps.store.list().map((profile) => profile.url);
  }

  /** The pinned roots for a host name (the certificate verifier's question). */
  rootsForHost(hostname: string): string[] | undefined {
    return this.pins.get(hostname);
  }

  async add(request: AddProfileRequest): Promise<DesktopResult<BrokerProfile>> {
    const parsed = parseBrokerUrl(request.url, '/ws/console');
    if (!parsed.ok) return fail('BAD_URL', parsed.error);
    const httpBase = parsed.value.httpBase;
    const same = this.deps.store.list().find((profile) => profile.url === httpBase);
    if (same) return fail('DUPLICATE', `${httpBase} is already in the list as "${same.name}"`);
    let ca: string[] | undefined;
    if (httpBase.startsWith('https://')) {
      const pinned = await this.pin(httpBase, request);
      if (!pinned.ok) return pinned;
      ca = pinned.value;
    }
    const health = await requestJson(`${httpBase}/api/v1/health`, { ca });
    if (!health.ok) return fail('UNREACHABLE', health.message);
    if (health.status !== 200 || typeof (health.body as { consoleUrl?: unknown }).consoleUrl !== 'string') {
      return fail('UNREACHABLE', `${httpBase} answered, but not as a Fleetterm broker with sign-in; check the URL`);
    }
    const name = request.name.trim() || new URL(httpBase).host;
    const added = this.deps.store.add({ name, url: httpBase, signInMethod: request.signInMethod ?? 'auto' });
    this.rebuildPins();
    return { ok: true, value: this.describe(added) };
  }

  /** Forgets the profile, and its pinned CA when no other profile uses that host:port. */
  remove(id: string): DesktopResult<null> {
    const profile = this.deps.store.get(id);
    if (!profile || !this.deps.store.remove(id)) return fail('NOT_FOUND', 'this broker is not in the list any more');
    const key = brokerKey(profile.url);
    const shared = this.deps.store.list().some((other) => brokerKey(other.url) === key);
    if (key !== null && !shared && profile.url.startsWith('https://')) this.deps.knownBrokers.remove(key);
    this.consoleHosts.delete(id);
    this.rebuildPins();
    return { ok: true, value: null };
  }

  /**
   * The broker's connection settings, checked as `fleetterm` checks them:
   * the pinned CA, rechecked against the broker at most hourly (a CA
   * rotation announced over a verified link is learnt; a changed CA is
   * refused with the SSH-like warning).
   */
  async connection(profile: StoredProfile): Promise<DesktopResult<BrokerConnection>> {
    if (!profile.url.startsWith('https://')) return { ok: true, value: { httpBase: profile.url, ca: undefined } };
    const key = brokerKey(profile.url);
    const decision = await decideBrokerTrust({
      httpBase: profile.url,
      known: key === null ? undefined : this.deps.knownBrokers.get(key),
      advice: DESKTOP_TRUST_ADVICE,
      now: this.deps.now,
    });
    if (decision.kind === 'refused') return fail(trustErrorCode(decision.code), decision.message);
    if (decision.kind === 'plain') return { ok: true, value: { httpBase: profile.url, ca: undefined } };
    if (decision.save) {
      this.deps.knownBrokers.set(decision.key, decision.save);
      this.rebuildPins();
    }
    return { ok: true, value: { httpBase: profile.url, ca: decision.ca } };
  }

  /** The sign-in page may live on the broker's DNS name while the profile uses another address: pin it there too. */
  pinConsoleHost(profileId: string, consoleUrl: string): void {
    const host = hostnameOf(consoleUrl);
    if (host === null) return;
    this.consoleHosts.set(profileId, host);
    this.rebuildPins();
  }

  private async pin(httpBase: string, request: AddProfileRequest): Promise<DesktopResult<string[]>> {
    const key = brokerKey(httpBase);
    const known = key === null ? undefined : this.deps.knownBrokers.get(key);
    let caFile: string | undefined;
    if (!known && request.trust.kind === 'caFile') {
      const picked = await this.deps.pickCaFile();
      if (picked === null) return fail('CANCELLED', 'no CA file was chosen; nothing was added');
      caFile = picked;
    }
    const decision = await decideBrokerTrust({
      httpBase,
      known,
      caFile,
      caPin: !known && request.trust.kind === 'caPin' ? request.trust.pin : undefined,
      confirm: this.deps.confirmRoots,
      advice: DESKTOP_TRUST_ADVICE,
      now: this.deps.now,
    });
    if (decision.kind === 'refused') return fail(trustErrorCode(decision.code), decision.message);
    if (decision.kind === 'plain') return { ok: true, value: [] };
    if (decision.save) this.deps.knownBrokers.set(decision.key, decision.save);
    return { ok: true, value: decision.ca };
  }

  private describe(profile: StoredProfile): BrokerProfile {
    const key = brokerKey(profile.url);
    const known = profile.url.startsWith('https://') && key !== null ? this.deps.knownBrokers.get(key) : undefined;
    const signIn = this.deps.store.signIn(profile.id);
    return {
      id: profile.id,
      name: profile.name,
      url: profile.url,
      signInMethod: profile.signInMethod,
      trust: known ? { kind: 'pinned', fingerprints: known.fingerprints, source: known.source } : { kind: 'plain' },
      signedIn: signIn ? { user: signIn.user, until: signIn.expiresAt } : null,
    };
  }

  private rebuildPins(): void {
    const pins = new Map<string, string[]>();
    const add = (host: string, roots: string[]) => pins.set(host, [...(pins.get(host) ?? []), ...roots]);
    for (const profile of this.deps.store.list()) {
      if (!profile.url.startsWith('https://')) continue;
      const key = brokerKey(profile.url);
      const roots = key === null ? undefined : this.deps.knownBrokers.get(key)?.roots;
      const host = hostnameOf(profile.url);
      if (!roots || host === null) continue;
      add(host, roots);
      const consoleHost = this.consoleHosts.get(profile.id);
      if (consoleHost !== undefined && consoleHost !== host) add(consoleHost, roots);
    }
    this.pins = pins;
  }
}

function hostnameOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function trustErrorCode(code: TrustRefusalCode): DesktopErrorCode {
  if (code === 'CA_CHANGED' || code === 'NOT_CONFIRMED') return code;
  if (code === 'UNREACHABLE' || code === 'TIMEOUT' || code === 'BAD_ANSWER') return 'UNREACHABLE';
  return 'TRUST_REFUSED';
}
