import type { BrokerProfile, SignInMethod } from '../../common/desktopApi';

/** How the broker is trusted, in one line for the list. */
export function describeTrust(profile: BrokerProfile): string {
  if (profile.trust.kind === 'plain') return 'Plain HTTP on this computer (development)';
  const how = { confirmed: 'confirmed by you', 'ca-file': "from the admin's CA file", 'ca-pin': 'from a pin' }[
    profile.trust.source
  ];
  const first = profile.trust.fingerprints[0] ?? '';
  return `CA pinned, ${how}: SHA-256 ${first.slice(0, 23)}…`;
}

/** Who is signed in, and until when, in one line. */
export function describeSignIn(profile: BrokerProfile, now: number): string {
  if (!profile.signedIn) return 'Not signed in';
  const { user, until } = profile.signedIn;
  if (until <= now) return 'Sign-in ended';
  const minutes = Math.round((until - now) / 60_000);
  const left = minutes >= 90 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
  return `Signed in as ${user.name} (${user.role}), ${left} left`;
}

export const signInMethodLabels: Record<SignInMethod, string> = {
  auto: 'Automatic',
  window: 'In a Fleetterm window',
  browser: 'In the system browser',
};
