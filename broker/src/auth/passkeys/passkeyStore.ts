import type { Result } from '../../../../common/result';

/** What a challenge was issued for; a response is only accepted for the same purpose. */
export type ChallengePurpose = 'register' | 'sign-in' | 'step-up';

/** An issued WebAuthn challenge: single use (deleted when taken) and short-lived. */
export interface WebAuthnChallenge {
  /** base64url, exactly as sent in the options and echoed in clientDataJSON. */
  challenge: string;
  purpose: ChallengePurpose;
  /** The user it was issued to (registration, step-up); null for username-less sign-in. */
  userId: string | null;
  createdAt: number;
  expiresAt: number;
}

export type TakeChallengeRefusal = 'CHALLENGE_UNKNOWN' | 'CHALLENGE_EXPIRED';

/** A registered passkey (WebAuthn credential). */
export interface PasskeyRecord {
  /** The credential id, base64url. */
  id: string;
  userId: string;
  /** The user's label for it ("laptop", "YubiKey 5"). */
  name: string;
  /** COSE-encoded public key, as the authenticator gave it. */
  publicKey: Uint8Array;
  /** The newest signature counter seen; 0 for authenticators that do not count. */
  counter: number;
  transports: string[];
  /** Synced passkey (iCloud, Google Password Manager): it lives on more than one device. */
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export type NewPasskey = Omit<PasskeyRecord, 'lastUsedAt'>;

export type RemovePasskeyOutcome = 'removed' | 'unknown' | 'last';

/**
 * The storage the passkey service needs (the `webauthn_challenges` and `passkeys` tables in SQLite).
 * Synchronous, like the rest of the store; each method is atomic.
 */
export interface PasskeyStore {
  putWebAuthnChallenge(challenge: WebAuthnChallenge): void;
  /**
   * Deletes and returns the challenge in one step, so two responses carrying it cannot both pass.
   * An expired one is deleted too and refused with CHALLENGE_EXPIRED.
   */
  takeWebAuthnChallenge(challenge: string, now: number): Result<WebAuthnChallenge, TakeChallengeRefusal>;
  /** Deletes challenges nobody answered; returns how many. */
  pruneWebAuthnChallenges(now: number): number;

  /** False when a passkey with this credential id is already registered (to anyone). */
  addPasskey(passkey: NewPasskey): boolean;
  findPasskey(credentialId: string): PasskeyRecord | undefined;
  /** Oldest first. */
  listPasskeys(userId: string): PasskeyRecord[];
  /** False when the user has no such passkey. */
  renamePasskey(userId: string, credentialId: string, name: string): boolean;
  /** `last` (and nothing removed) when it is the user's only passkey and `allowLast` is false. */
  removePasskey(userId: string, credentialId: string, allowLast: boolean): RemovePasskeyOutcome;
  /**
   * Records a verified use: the new counter, backup state and time. Refuses (returns false, changes
   * nothing) unless the counter grows, or stays 0 on both sides, so two racing uses cannot both pass.
   */
  recordPasskeyUse(credentialId: string, counter: number, backedUp: boolean, now: number): boolean;
}
