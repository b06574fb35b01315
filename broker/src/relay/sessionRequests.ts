import { randomUUID } from 'node:crypto';
import { CloseCode, MAX_CHANNELS_PER_LINK, type ConsoleAttach, type ConsoleOpen } from '../../../common/protocol';
import { mayOpenSessions, tokenStillLive } from '../auth/authenticate';
import type { ConsoleLink } from './consoleLink';
import type { Relay } from './relay';
import { pendingRoute } from './route';

const STORE_FAILED = Symbol('store failed');

/**
 * Runs a store read or write for a console's request. A failure is logged
 * and refuses the request with INTERNAL on its channel, so the console knows
 * which request failed and that the channel is free again.
 */
function fromStore<T>(
  relay: Relay,
  consoleLink: ConsoleLink,
  channel: number,
  what: string,
  fn: () => T,
): T | typeof STORE_FAILED {
  try {
    return fn();
  } catch (error) {
    relay.log.error({ err: error instanceof Error ? error.message : String(error), what }, 'store access failed');
    relay.refuse(consoleLink, channel, 'INTERNAL', `the broker could not ${what}; it was logged. Try again.`);
    return STORE_FAILED;
  }
}

/** Checks shared by open and attach; sends the refusal and returns false when one fails. */
function mayUseChannel(relay: Relay, consoleLink: ConsoleLink, channel: number): boolean {
  const { operator } = consoleLink;
  const live = fromStore(relay, consoleLink, channel, 'check the API token', () =>
    tokenStillLive(relay.store, operator, relay.options.now()),
  );
  if (live === STORE_FAILED) return false;
  if (!live) {
    relay.refuse(
      consoleLink,
      channel,
      'UNAUTHORIZED',
      'the API token of this link was revoked or has expired; create a new one with `fleetterm-broker token create`',
    );
    consoleLink.link.log.info({ tokenId: operator.tokenId }, 'console token no longer live');
    consoleLink.link.close(CloseCode.REVOKED, 'the API token was revoked or has expired');
    return false;
  }
  if (!mayOpenSessions(operator.role)) {
    relay.refuse(
      consoleLink,
      channel,
      'FORBIDDEN',
      `the ${operator.role} role may list machines and sessions but not open them; use an operator or admin token`,
    );
    return false;
  }
  if (consoleLink.channels.has(channel)) {
    relay.refuse(
      consoleLink,
      channel,
      'CHANNEL_IN_USE',
      `channel ${channel} is already open on this link; pick another`,
    );
    return false;
  }
  if (consoleLink.channels.size >= MAX_CHANNELS_PER_LINK) {
    relay.refuse(
      consoleLink,
      channel,
      'TOO_MANY_CHANNELS',
      `this link has ${MAX_CHANNELS_PER_LINK} channels open, the most it may; close one first`,
    );
    return false;
  }
  return true;
}

/** `open`: a new session on a machine whose agent is connected. */
export function openSession(relay: Relay, consoleLink: ConsoleLink, message: ConsoleOpen): void {
  const { channel } = message;
  if (!mayUseChannel(relay, consoleLink, channel)) return;
  if (message.mode === 'exec' && message.command === undefined) {
    return relay.refuse(consoleLink, channel, 'BAD_MESSAGE', 'an exec session needs a command');
  }
  const agent = relay.agentNamed(message.machine);
  if (!agent) {
    const machine = fromStore(relay, consoleLink, channel, 'look up the machine', () =>
      relay.store.findMachineByName(message.machine),
    );
    if (machine === STORE_FAILED) return;
    if (!machine || machine.revokedAt !== null) {
      return relay.refuse(
        consoleLink,
        channel,
        'MACHINE_NOT_FOUND',
        `no machine is named "${message.machine}"; \`fleetterm ls\` lists them`,
      );
    }
    const lastSeen =
      machine.lastSeen === null ? 'never connected' : `last seen ${new Date(machine.lastSeen).toISOString()}`;
    return relay.refuse(
      consoleLink,
      channel,
      'MACHINE_OFFLINE',
      `machine "${machine.name}" is enrolled but its agent is not connected (${lastSeen}); ` +
        'check that fleetterm-agent runs there and can reach the broker',
    );
  }
  const sessionId = randomUUID();
  const command = message.mode === 'exec' ? (message.command ?? null) : null;
  const inserted = fromStore(relay, consoleLink, channel, 'record the new session', () =>
    relay.store.insertSession({
      id: sessionId,
      operator: consoleLink.operator.name,
      machineId: agent.machine.id,
      loginUser: message.loginUser ?? null,
      mode: message.mode,
      command,
      startedAt: relay.options.now(),
    }),
  );
  if (inserted === STORE_FAILED) return;
  const route = pendingRoute(sessionId, 'opening', consoleLink, channel, agent);
  relay.bind(route);
  agent.link.send({
    type: 'open',
    channel: route.agentChannel,
    sessionId,
    operator: consoleLink.operator.name,
    mode: message.mode,
    cols: message.cols,
    rows: message.rows,
    ...(message.loginUser !== undefined ? { loginUser: message.loginUser } : {}),
    ...(command !== null ? { command } : {}),
  });
  relay.awaitAgentReply(route);
}

/** `attach`: re-attaches one of the operator's kept sessions, from an output offset. */
export function attachSession(relay: Relay, consoleLink: ConsoleLink, message: ConsoleAttach): void {
  const { channel, sessionId } = message;
  if (!mayUseChannel(relay, consoleLink, channel)) return;
  const session = fromStore(relay, consoleLink, channel, 'look up the session', () =>
    relay.store.findSession(sessionId),
  );
  if (session === STORE_FAILED) return;
  if (!session || session.endedAt !== null) {
    return relay.refuse(consoleLink, channel, 'SESSION_NOT_FOUND', `session ${sessionId} has ended or never existed`);
  }
  if (session.operator !== consoleLink.operator.name) {
    return relay.refuse(consoleLink, channel, 'SESSION_NOT_YOURS');
  }
  const agent = relay.agentFor(session.machineId);
  if (!agent) {
    return relay.refuse(
      consoleLink,
      channel,
      'MACHINE_OFFLINE',
      'the session’s machine is not connected; attach again once its agent is back (within the resume grace period)',
    );
  }
  const current = agent.routeOf(sessionId);
  if (current?.state === 'opening') {
    return relay.refuse(consoleLink, channel, 'SESSION_NOT_FOUND', `session ${sessionId} is still starting`);
  }
  if (current) {
    // The newest attach wins: the old link may be a dead one the heartbeat has not noticed yet.
    // Not resumable: two consoles that each re-attach on `closed` would take the session from each other forever.
    current.console?.link.send({
      type: 'closed',
      channel: current.consoleChannel,
      code: 'SESSION_TAKEN_OVER',
      message: 'the session was attached from another console; this one was detached from it',
      resumable: false,
    });
    relay.detach(current);
  }
  const route = pendingRoute(sessionId, 'attaching', consoleLink, channel, agent);
  relay.bind(route);
  agent.link.send({
    type: 'attach',
    channel: route.agentChannel,
    sessionId,
    operator: consoleLink.operator.name,
    offset: message.offset,
  });
  relay.awaitAgentReply(route);
}
