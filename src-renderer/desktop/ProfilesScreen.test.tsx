import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type {
  AccessGrant,
  BrokerProfile,
  DesktopResult,
  FleettermDesktopApi,
  ProfileList,
} from '../../common/desktopApi';
import { createDesktopSession, DesktopSessionError } from './desktopSession';
import { describeSignIn, describeTrust } from './profileText';
import { ProfilesScreen } from './ProfilesScreen';

const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const user = { id: 'u1', name: 'alice', displayName: 'Alice', role: 'operator' };
const pinned: BrokerProfile = {
  id: 'p1',
  name: 'Production <b>eu</b>',
  url: 'https://broker.example.org:7420',
  signInMethod: 'auto',
  trust: { kind: 'pinned', fingerprints: ['AB:CD:EF:01:23:45:67:89:AB:CD:EF'], source: 'confirmed' },
  signedIn: { user, until: now + 3 * 3_600_000 },
};
const local: BrokerProfile = {
  id: 'p2',
  name: 'Laptop',
  url: 'http://127.0.0.1:7420',
  signInMethod: 'browser',
  trust: { kind: 'plain' },
  signedIn: null,
};

const never = () => new Promise<never>(() => {});
const api = (overrides: Partial<FleettermDesktopApi> = {}): FleettermDesktopApi => ({
  getAppInfo: never,
  listProfiles: never,
  addProfile: never,
  removeProfile: never,
  signIn: never,
  cancelSignIn: never,
  getAccessToken: never,
  signOut: never,
  onCommand: () => () => {},
  ...overrides,
});

const render = (initial?: ProfileList) =>
  renderToStaticMarkup(<ProfilesScreen api={api()} onSignedIn={() => {}} initial={initial} now={() => now} />);

describe('the brokers screen', () => {
  it('says it is loading until main answers', () => {
    expect(render()).toContain('Loading…');
  });

  it('invites to add a broker when there is none, and says where sign-ins are kept', () => {
    const html = render({
      profiles: [],
      secretStorage: { mode: 'memory', message: 'Kept only while Fleetterm runs.' },
    });
    expect(html).toContain('No broker yet');
    expect(html).toContain('Kept only while Fleetterm runs.');
    expect(html).toContain('Add broker');
  });

  it('lists each broker with its trust and sign-in state, escaping names', () => {
    const html = render({ profiles: [pinned, local], secretStorage: { mode: 'encrypted', message: '' } });
    expect(html).toContain('Production &lt;b&gt;eu&lt;/b&gt;');
    expect(html).toContain('CA pinned, confirmed by you: SHA-256 AB:CD:EF');
    expect(html).toContain('Signed in as alice (operator), 3 h left');
    expect(html).toContain('>Open<');
    expect(html).toContain('Plain HTTP on this computer (development)');
    expect(html).toContain('>Sign in<');
  });
});

describe('profile text', () => {
  it('describes trust sources and the time a sign-in has left', () => {
    expect(describeTrust({ ...pinned, trust: { kind: 'pinned', fingerprints: ['AA'], source: 'ca-file' } })).toMatch(
      /from the admin's CA file/,
    );
    expect(describeSignIn({ ...pinned, signedIn: { user, until: now + 20 * 60_000 } }, now)).toBe(
      'Signed in as alice (operator), 20 min left',
    );
    expect(describeSignIn({ ...pinned, signedIn: { user, until: now - 1 } }, now)).toBe('Sign-in ended');
    expect(describeSignIn(local, now)).toBe('Not signed in');
  });
});

describe('createDesktopSession', () => {
  const grant: AccessGrant = { brokerUrl: pinned.url, accessToken: 'fta_1', accessExpiresAt: now + 60_000, user };

  it('asks main for the current token each time', async () => {
    const answers: DesktopResult<AccessGrant>[] = [
      { ok: true, value: { ...grant, accessToken: 'fta_2' } },
      { ok: false, error: { code: 'SIGNED_OUT', message: 'your sign-in has ended' } },
    ];
    const asked: string[] = [];
    const session = createDesktopSession(
      {
        getAccessToken: async (id) => {
          asked.push(id);
          return answers.shift()!;
        },
      },
      pinned,
      grant,
    );
    expect(session).toMatchObject({ brokerUrl: pinned.url, user, profileId: 'p1' });
    await expect(session.accessToken()).resolves.toBe('fta_2');
    const failure = await session.accessToken().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DesktopSessionError);
    expect(failure).toMatchObject({ code: 'SIGNED_OUT', message: 'your sign-in has ended' });
    expect(asked).toEqual(['p1', 'p1']);
  });
});
