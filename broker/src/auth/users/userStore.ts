import type { Result } from '../../../../common/result';
import type { Role } from '../../store/store';

/** A person who signs in (with passkeys or TOTP); their name is their operator identity. */
export interface User {
  id: string;
  name: string;
  displayName: string;
  role: Role;
  createdAt: number;
  disabledAt: number | null;
}

/** A one-time registration link: the first admin's (createdBy null) or an admin's invitation. */
export interface Invitation {
  /** SHA-256 of the secret in the link; the secret itself is never stored. */
  hash: string;
  role: Role;
  /** The user name it is for; null lets the invited person choose. */
  name: string | null;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export type RedeemRefusal = 'INVITE_UNKNOWN' | 'INVITE_USED' | 'INVITE_EXPIRED' | 'USER_NAME_TAKEN';

/** Users and their invitations, as the store keeps them. */
export interface UserStore {
  countUsers(): number;
  findUserById(id: string): User | undefined;
  /** The enabled user with this name. */
  findUserByName(name: string): User | undefined;
  listUsers(): User[];
  /** Disables the enabled user with this name; undefined when there is none. */
  disableUser(name: string, now: number): User | undefined;
  addInvitation(invitation: Invitation): void;
  /** Deletes unused first-admin links (a new one replaces them). */
  dropFirstAdminInvitations(): void;
  /** Whether the link is usable now, without spending it. */
  checkInvitation(hash: string, now: number): Result<Invitation, RedeemRefusal>;
  /** Spends the link and creates the user, atomically: two redemptions of one link make one user. */
  redeemInvitation(hash: string, user: Omit<User, 'role' | 'disabledAt'>): Result<User, RedeemRefusal>;
}
