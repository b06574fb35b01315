import { randomUUID } from 'node:crypto';
import { MAX_CHANNELS_PER_LINK, type ConsoleAttach, type ConsoleOpen } from '../../../common/protocol';
import { mayOpenSessions } from '../auth/authenticate';
import type { ConsoleLink } from './consoleLink';
import type { Relay } from './relay';
import type { Route } from './route';

/** Checks shared by open and attach; sends the refusal and returns false when one fails. */
function mayUseChannel(relay: Relay, consoleLink: ConsoleLink, channel: number): boolean {
  const { operator } = consoleLink;
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
    const machine = relay.store.findMachineByName(message.machine);
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
  relay.store.insertSession({
    id: sessionId,
    operator: consoleLink.operator.name,
    machineId: agent.machine.id,
    loginUser: message.loginUser ?? null,
    mode: message.mode,
    command,
    startedAt: relay.options.now(),
  });
  const route: Route = {
    sessionId,
    state: 'opening',
    console: consoleLink,
    consoleChannel: channel,
    agent,
    agentChannel: agent.allocateChannel(),
    bytesIn: 0,
    bytesOut: 0,
  };
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
}

/** `attach`: re-attaches one of the operator's kept sessions, from an output offset. */
export function attachSession(relay: Relay, consoleLink: ConsoleLink, message: ConsoleAttach): void {
  const { channel, sessionId } = message;
  if (!mayUseChannel(relay, consoleLink, channel)) return;
  const session = relay.store.findSession(sessionId);
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
    current.console?.link.send({
      type: 'closed',
      channel: current.consoleChannel,
      code: 'CHANNEL_IN_USE',
      message: 'the session was attached from another console link; attach again to take it back',
      resumable: true,
    });
    relay.detach(current);
  }
  const route: Route = {
    sessionId,
    state: 'attaching',
    console: consoleLink,
    consoleChannel: channel,
    agent,
    agentChannel: agent.allocateChannel(),
    bytesIn: 0,
    bytesOut: 0,
  };
  relay.bind(route);
  agent.link.send({
    type: 'attach',
    channel: route.agentChannel,
    sessionId,
    operator: consoleLink.operator.name,
    offset: message.offset,
  });
}
