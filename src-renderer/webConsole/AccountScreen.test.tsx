import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AccountOverview } from './accountApi';
import { AccountScreen } from './AccountScreen';
import { AuthenticatorApp } from './AuthenticatorApp';
import { formatWhen } from './formatWhen';
import { RecoveryCodes } from './RecoveryCodes';

const now = Date.UTC(2026, 10, 23, 12, 0, 0);

const overview = (changes: Partial<AccountOverview> = {}): AccountOverview => ({
  user: { id: 'u1', name: 'alice', displayName: 'Alice <b>Admin</b>', role: 'admin' },
  passkeys: [
    { id: 'c1', name: 'laptop', createdAt: now - 3 * 86_400_000, lastUsedAt: now - 120_000, backedUp: false },
    { id: 'c2', name: 'phone <img src=x>', createdAt: now - 3_600_000, lastUsedAt: null, backedUp: true },
  ],
  totp: { enrolled: false, pending: false, recoveryCodesLeft: 0, lockedUntil: null },
  signin: {
    sessionId: 's1',
    verifiedAt: now - 60_000,
    stepUpWindowMs: 300_000,
    stepUpUntil: now + 240_000,
    expiresAt: 0,
  },
  now,
  ...changes,
});

const render = (initial?: AccountOverview) =>
  renderToStaticMarkup(
    <AccountScreen accessToken="fta_x" onBack={() => {}} onSignedOutEverywhere={() => {}} initial={initial} />,
  );

describe('the account page', () => {
  it('says it is loading until the broker answers', () => {
    expect(render()).toContain('Loading…');
  });

  it('lists the passkeys with when they were added and used, escaping their names', () => {
    const html = render(overview());
    expect(html).toContain('Alice &lt;b&gt;Admin&lt;/b&gt; (alice, admin)');
    expect(html).toContain('laptop');
    expect(html).toContain('last used 2 minutes ago');
    expect(html).toContain('phone &lt;img src=x&gt;');
    expect(html).toContain('not used yet · synced');
    expect(html).toContain('aria-label="Remove laptop"');
    expect(html).toContain('Add a passkey');
    expect(html).toContain('You last confirmed it’s you 1 minute ago');
    expect(html).toContain('within 5 minutes');
  });

  it('offers to set up an authenticator app, or new recovery codes once one is set up', () => {
    expect(render(overview())).toContain('Set up an authenticator app');
    const enrolled = render(
      overview({ totp: { enrolled: true, pending: false, recoveryCodesLeft: 7, lockedUntil: null } }),
    );
    expect(enrolled).toContain('7 recovery codes left.');
    expect(enrolled).toContain('Make new recovery codes');
    expect(enrolled).not.toContain('Set up an authenticator app');
  });

  it('asks before signing out everywhere', () => {
    expect(render(overview())).toContain('Sign out everywhere');
  });
});

describe('setting up the authenticator app', () => {
  it('draws the QR code from path data, never the broker’s markup, and shows the secret for typing', () => {
    const qrSvg =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 25 25"><path fill="#ffffff" d="M0 0h25v25H0z"/>' +
      '<path stroke="#000000" d="M2 2.5h7"/></svg>';
    const html = renderToStaticMarkup(
      <AuthenticatorApp
        totp={overview().totp}
        enrolment={{ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', uri: 'otpauth://x', qrSvg }}
        busy={false}
        onBegin={() => {}}
        onConfirm={async () => true}
        onCancel={() => {}}
        onNewRecoveryCodes={() => {}}
      />,
    );
    expect(html).toContain('<svg class="qr-code" role="img"');
    expect(html).toContain('d="M2 2.5h7"');
    expect(html).not.toContain('xmlns="http://www.w3.org/2000/svg" viewBox="0 0 25 25"><path fill');
    expect(html).toContain('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(html).toContain('Code from the app');
  });
});

describe('recovery codes', () => {
  it('are listed once, with a way to copy them and a warning that they will not be shown again', () => {
    const html = renderToStaticMarkup(<RecoveryCodes codes={['7k2m-q9xd-4hbe', 'abcd-efgh-jkmn']} onDone={() => {}} />);
    expect(html).toContain('<code>7k2m-q9xd-4hbe</code>');
    expect(html).toContain('They are shown only now.');
    expect(html).toContain('Copy the codes');
  });
});

describe('formatWhen', () => {
  it('speaks in minutes and hours, then dates', () => {
    expect(formatWhen(now - 10_000, now)).toBe('just now');
    expect(formatWhen(now - 60_000, now)).toBe('1 minute ago');
    expect(formatWhen(now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(formatWhen(now - 3 * 86_400_000, now)).toBe('2026-11-20');
  });
});
