import type { AgentLink } from './agentLink';
import type { ConsoleLink } from './consoleLink';

/**
 * `opening`: the agent was sent `open` and has not answered; `attaching`:
 * the same for `attach`; `open`: bytes flow.
 */
export type RouteState = 'opening' | 'attaching' | 'open';

/**
 * One session's path through the broker: a channel on a console link bound
 * to a channel on its machine's agent link. Both links index it by their own
 * channel id; data frames are relayed by rewriting the channel field.
 */
export interface Route {
  readonly sessionId: string;
  state: RouteState;
  /** Undefined once the console is gone but the agent still owes an answer (see Relay.consoleClosed). */
  console: ConsoleLink | undefined;
  readonly consoleChannel: number;
  readonly agent: AgentLink;
  readonly agentChannel: number;
  /** Bytes relayed since the last flush to the store. */
  bytesIn: number;
  bytesOut: number;
  /** Runs while the agent owes an answer to `open` or `attach` (see Relay.awaitAgentReply). */
  replyTimer?: NodeJS.Timeout;
}

/** A new route waiting for the agent's answer, on a fresh agent channel. */
export function pendingRoute(
  sessionId: string,
  state: Exclude<RouteState, 'open'>,
  console: ConsoleLink,
  consoleChannel: number,
  agent: AgentLink,
): Route {
  return {
    sessionId,
    state,
    console,
    consoleChannel,
    agent,
    agentChannel: agent.allocateChannel(),
    bytesIn: 0,
    bytesOut: 0,
  };
}
