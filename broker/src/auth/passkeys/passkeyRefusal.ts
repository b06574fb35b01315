/** Why the broker refused a passkey step; stable, so the HTTP API, the audit log and the screens can map them. */
export type PasskeyRefusalCode =
  | 'CHALLENGE_UNKNOWN' // never issued, already used, or issued for another purpose or user
  | 'CHALLENGE_EXPIRED'
  | 'PASSKEY_UNKNOWN' // no such credential registered (or it was removed)
  | 'PASSKEY_NOT_YOURS' // a step-up answered with another user's passkey
  | 'USER_VERIFICATION_REQUIRED' // the authenticator did not check PIN or biometrics
  | 'PASSKEY_INVALID' // origin, RP ID, type, signature, or a malformed response
  | 'PASSKEY_COUNTER' // the signature counter did not grow: possibly a cloned authenticator
  | 'PASSKEY_EXISTS' // registering a credential that is already registered
  | 'PASSKEY_NOT_DISCOVERABLE' // the authenticator made a credential that cannot sign in without a user name
  | 'PASSKEY_NAME_INVALID'
  | 'PASSKEY_LAST' // removing the last way in
  | 'NO_PASSKEYS'; // a step-up asked of a user who has no passkey

export interface PasskeyRefusal {
  code: PasskeyRefusalCode;
  /** For the user: what went wrong and what to do. */
  message: string;
}

const MESSAGES: Record<Exclude<PasskeyRefusalCode, 'PASSKEY_INVALID'>, string> = {
  CHALLENGE_UNKNOWN:
    'this passkey request is unknown or was already used; start again (each request works once, on the page that asked)',
  CHALLENGE_EXPIRED: 'this passkey request expired (requests last 2 minutes); start again and answer the prompt sooner',
  PASSKEY_UNKNOWN:
    'this passkey is not registered with this broker (it may have been removed); ' +
    'use another passkey or your authenticator app code',
  PASSKEY_NOT_YOURS: 'this passkey belongs to another user; confirm with one of your own passkeys',
  USER_VERIFICATION_REQUIRED:
    'your authenticator did not verify you (no PIN, fingerprint or face check); ' +
    'set up a PIN or biometrics on it, or use a passkey that has one',
  PASSKEY_COUNTER:
    "this passkey's signature counter went backwards, which is what a cloned key does, so it was refused; " +
    'if you did not copy it, tell an admin, remove this passkey and register a new one',
  PASSKEY_EXISTS: 'this passkey is already registered; sign in with it, or register a different authenticator',
  PASSKEY_NOT_DISCOVERABLE:
    'your authenticator made a passkey that cannot sign in without a user name; ' +
    'use an authenticator that stores passkeys (a phone, the computer, or a security key with free passkey slots)',
  PASSKEY_NAME_INVALID: 'name the passkey with 1 to 64 printable characters, for example "work laptop"',
  PASSKEY_LAST:
    'this is your only way to sign in; register another passkey or set up an authenticator app first, ' +
    'then remove this one',
  NO_PASSKEYS: 'you have no passkey to confirm with; use your authenticator app code, or register a passkey',
};

export function refusal(code: Exclude<PasskeyRefusalCode, 'PASSKEY_INVALID'>): PasskeyRefusal {
  return { code, message: MESSAGES[code] };
}

/** Keeps the library's reason (which field was wrong) so an operator can fix an origin or RP ID setting. */
export function invalid(reason: string): PasskeyRefusal {
  return {
    code: 'PASSKEY_INVALID',
    message:
      `the passkey response was refused: ${reason}; ` +
      "try again from the broker's own sign-in page, and if it keeps failing ask an admin to check the passkey settings",
  };
}
