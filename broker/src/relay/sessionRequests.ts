import { randomUUID } from 'node:crypto';
import {
  CloseCode,
  MAX_CHANNELS_PER_LINK,
  type ConsoleAttach,
  type ConsoleOpen,
  type ErrorCode,
} from '../../../common/protocol';
import { decideAccess } from '../auth/accessPolicy';
import { mayOpenSessions, missingScope } from '../auth/operatorAuth';
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

/** Refusals that are access decisions (audited as `access.denied`); the others are `session.refused`. */
const DENIALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNAUTHORIZED',
  'FORBIDDEN',
  'POLICY_DENIED',
  'TERMINAL_TOKEN_REQUIRED',
  'TERMINAL_TOKEN_INVALID',
  'SESSION_NOT_YOURS',
]);

/** Refuses an open or attach on its channel, and audits the refusal with what was asked for. */
function refuseRequest(
  relay: Relay,
  consoleLink: ConsoleLink,
  request: ConsoleOpen | ConsoleAttach,
  code: ErrorCode,
  message?: string,
): void {
  relay.refuse(consoleLink, request.channel, code, message);
  relay.audit.record(DENIALS.has(code) ? 'access.denied' : 'session.refused', {
    actor: consoleLink.operator.name,
    target: request.type === 'open' ? request.machine : request.sessionId,
    detail: { request: request.type, code, ...(code === 'POLICY_DENIED' ? { reason: message } : {}) },
  });
}

/** Checks shared by open and attach; sends the refusal and returns false when one fails. */
function mayUseChannel(relay: Relay, consoleLink: ConsoleLink, request: ConsoleOpen | ConsoleAttach): boolean {
  const { operator } = consoleLink;
  const { channel } = request;
  const live = fromStore(relay, consoleLink, channel, 'check the credential', () =>
    relay.options.operators.stillLive(operator, relay.options.now()),
  );
  if (live === STORE_FAILED) return false;
  if (!live) {
    refuseRequest(
      relay,
      consoleLink,
      request,
      'UNAUTHORIZED',
      operator.credential.kind === 'signin'
        ? 'your sign-in was revoked or has expired; sign in again'
        : 'the API token of this link was revoked or has expired; create a new one with `fleetterm-broker token create`',
    );
    consoleLink.link.log.info({ credential: operator.credential }, 'console credential no longer live');
    consoleLink.link.close(CloseCode.REVOKED, 'the API token or sign-in was revoked or has expired');
    return false;
  }
  if (!mayOpenSessions(operator.role)) {
    refuseRequest(
      relay,
      consoleLink,
      request,
      'FORBIDDEN',
      `the ${operator.role} role may list machines and sessions but not open them; use an operator or admin token`,
    );
    return false;
  }
  if (consoleLink.channels.has(channel)) {
    refuseRequest(
      relay,
      consoleLink,
      request,
      'CHANNEL_IN_USE',
      `channel ${channel} is already open on this link; pick another`,
    );
    return false;
  }
  if (consoleLink.channels.size >= MAX_CHANNELS_PER_LINK) {
    refuseRequest(
      relay,
      consoleLink,
      request,
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
  if (!mayUseChannel(relay, consoleLink, message)) return;
  if (message.mode === 'exec' && message.command === undefined) {
    return refuseRequest(relay, consoleLink, message, 'BAD_MESSAGE', 'an exec session needs a command');
  }
  const unscoped = missingScope(consoleLink.operator, message.mode === 'exec' ? 'exec' : 'shell');
  if (unscoped) return refuseRequest(relay, consoleLink, message, 'FORBIDDEN', unscoped);
  const agent = relay.agentNamed(message.machine);
  if (!agent) {
    const machine = fromStore(relay, consoleLink, channel, 'look up the machine', () =>
      relay.store.findMachineByName(message.machine),
    );
    if (machine === STORE_FAILED) return;
    if (!machine || machine.revokedAt !== null) {
      return refuseRequest(
        relay,
        consoleLink,
        message,
        'MACHINE_NOT_FOUND',
        `no machine is named "${message.machine}"; \`fleetterm ls\` lists them`,
      );
    }
    const lastSeen =
      machine.lastSeen === null ? 'never connected' : `last seen ${new Date(machine.lastSeen).toISOString()}`;
    return refuseRequest(
      relay,
      consoleLink,
      message,
      'MACHINE_OFFLINE',
      `machine "${machine.name}" is enrolled but its agent is not connected (${lastSeen}); ` +
        'check that fleetterm-agent runs there and can reach the broker',
    );
  }
  const policies = fromStore(relay, consoleLink, channel, 'read the access policies', () => relay.store.listPolicies());
  if (policies === STORE_FAILED) return;
  const access = decideAccess(
    { operator: consoleLink.operator, machine: agent.machine, loginUser: message.loginUser },
    policies,
  );
  if (!access.allowed) return refuseRequest(relay, consoleLink, message, 'POLICY_DENIED', access.reason);
  const token = fromStore(relay, consoleLink, channel, 'check the terminal token', () =>
    relay.options.terminalAccess.redeem(consoleLink.operator, message.terminalToken, agent.machine, message.loginUser),
  );
  if (token === STORE_FAILED) return;
  if (!token.ok) return refuseRequest(relay, consoleLink, message, token.error.code, token.error.message);
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
  if (!mayUseChannel(relay, consoleLink, message)) return;
  const session = fromStore(relay, consoleLink, channel, 'look up the session', () =>
    relay.store.findSession(sessionId),
  );
  if (session === STORE_FAILED) return;
  if (!session || session.endedAt !== null) {
    return refuseRequest(
      relay,
      consoleLink,
      message,
      'SESSION_NOT_FOUND',
      `session ${sessionId} has ended or never existed`,
    );
  }
  if (session.operator !== consoleLink.operator.name) {
    return refuseRequest(relay, consoleLink, message, 'SESSION_NOT_YOURS');
  }
  const agent = relay.agentFor(session.machineId);
  if (!agent) {
    return refuseRequest(
      relay,
      consoleLink,
      message,
      'MACHINE_OFFLINE',
      'the session’s machine is not connected; attach again once its agent is back (within the resume grace period)',
    );
  }
  const current = agent.routeOf(sessionId);
  if (current?.state === 'opening') {
    return refuseRequest(relay, consoleLink, message, 'SESSION_NOT_FOUND', `session ${sessionId} is still starting`);
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
