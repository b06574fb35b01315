import type { BackoffOptions } from '../backoff';
import type { SessionMode } from '../protocol';
import type { Timers } from './timers';
import type { SocketFactory } from './webSocketLike';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ConsoleLinkOptions {
  socketFactory: SocketFactory;
  /** Sent in the hello, e.g. `fleetterm/0.1.0`. */
  software: string;
  capabilities?: string[];
  /**
   * Keep retrying when the very first connection fails (the desktop console
   * waits for its broker). Default false: ready() rejects at once, so a
   * command-line tool can say that the broker is unreachable.
   */
  retryFirstConnect?: boolean;
  /** Reconnect delays; default DEFAULT_BACKOFF (0.5 s doubling to 30 s, full jitter). */
  backoff?: BackoffOptions;
  /** From creating a socket to the broker's welcome. Default 20 s: the
   *  broker answers a hello at once, so this only catches a broker that
   *  accepts connections but does not speak. */
  welcomeTimeoutMs?: number;
  /** How long a channel keeps trying to re-attach. Default: the broker's
   *  resume grace period (5 min); past it the session is gone anyway. */
  resumeGiveUpMs?: number;
  timers?: Timers;
}

export interface OpenRequest {
  machine: string;
  /** Defaults to the agent's default login user. */
  loginUser?: string;
  /** Default 'shell'. */
  mode?: SessionMode;
  /** The command line for 'exec', run by the login user's shell with -c. */
  command?: string;
  cols: number;
  rows: number;
  /** For a signed-in person: the one-time terminal token minted for this machine and login user. */
  terminalToken?: string;
}

/** A frame we could not use. `source: 'broker'`: the broker reported an
 *  error about something we sent; `'client'`: we received something invalid. */
export interface ProtocolProblem {
  code: string;
  message: string;
  source: 'broker' | 'client';
}
