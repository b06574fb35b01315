/**
 * What a terminal pane shows about its session. Metadata only: the zustand
 * store may keep it (tab icons, the broadcast target list); output never.
 */
export type PaneStatus =
  | { kind: 'connecting' }
  | { kind: 'connected' }
  /** The link dropped or the agent went away; the channel re-attaches by
   *  itself. `retryAt` (ms, Date.now() clock) when the owner knows the next attempt. */
  | { kind: 'reconnecting'; retryAt?: number }
  /** No session: the open was refused, the link closed for good, the resume gave up. */
  | { kind: 'disconnected'; code: string; reason: string }
  | { kind: 'exited'; code: number | null; signal: string | null; reason?: string };

/** Codes after which no reconnect can work until the person signs in again
 *  (the link stops retrying on them too). Step-up refusals are not here: their
 *  message already says to confirm with the passkey, and Reconnect asks again. */
const SIGN_IN_CODES = new Set(['UNAUTHORIZED', 'SESSION_UNKNOWN', 'SESSION_EXPIRED', 'SESSION_REVOKED']);

export function needsSignIn(status: PaneStatus): boolean {
  return status.kind === 'disconnected' && SIGN_IN_CODES.has(status.code);
}

/** The status bar's words. `now` in ms (Date.now() clock), for the countdown. */
export function describeStatus(status: PaneStatus, now: number): string {
  switch (status.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'reconnecting': {
      if (status.retryAt === undefined) return 'Connection lost: reconnecting…';
      const seconds = Math.max(0, Math.ceil((status.retryAt - now) / 1000));
      return seconds > 0 ? `Connection lost: reconnecting in ${seconds} s` : 'Connection lost: reconnecting now…';
    }
    case 'disconnected': {
      const reason = status.reason.replace(/[.\s]+$/, '');
      return needsSignIn(status)
        ? `Disconnected: ${reason}. Sign in again, then reconnect.`
        : `Disconnected: ${reason}`;
    }
    case 'exited': {
      const how =
        status.code !== null
          ? `with code ${status.code}`
          : status.signal !== null
            ? `by signal ${status.signal}`
            : 'without a status';
      const why = status.reason ? ` (${status.reason})` : '';
      return `The shell exited ${how}${why}`;
    }
  }
}
