/** A one-time terminal token as stored (its hash only). */
export interface TerminalTokenRecord {
  hash: string;
  userId: string;
  signinSessionId: string;
  machineId: string;
  /** Null: the agent's default login user. */
  loginUser: string | null;
  createdAt: number;
  expiresAt: number;
  spentAt: number | null;
}

export type RedeemOutcome = 'spent' | 'unknown' | 'used' | 'expired';

export interface TerminalTokenStore {
  addTerminalToken(token: TerminalTokenRecord): void;
  findTerminalToken(hash: string): TerminalTokenRecord | undefined;
  /**
   * Spends the token if it is unspent and unexpired, in one statement: of
   * two concurrent redemptions exactly one gets `spent`.
   */
  spendTerminalToken(hash: string, now: number): RedeemOutcome;
}
