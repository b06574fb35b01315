import { CloseCode, defaultMessage } from '../../../common/protocol';
import type { AgentLink } from './agentLink';
import type { Relay } from './relay';

/**
 * What a link was let in with can stop being true while it is open: an API
 * token revoked or expired, a machine revoked, an agent certificate past its
 * end. These checks run on every external change to the store (the CLI
 * revoking something) and on a timer (expiry), and close what no longer holds.
 */
export function closeLinksWithoutAccess(relay: Relay): void {
  const now = relay.options.now();
  try {
    for (const link of relay.consoleLinks()) {
      if (relay.options.operators.stillLive(link.operator, now)) continue;
      link.link.log.info({ credential: link.operator.credential }, 'console credential no longer live');
      link.link.close(CloseCode.REVOKED, 'the API token or sign-in was revoked or has expired');
    }
    for (const agent of relay.agentLinks()) {
      if (relay.store.findMachineById(agent.machine.id)?.revokedAt != null) revokeAgent(relay, agent);
      else if (agent.certificateNotAfter <= now) {
        agent.link.log.warn('agent certificate expired on an open link (renewal failed); closing it');
        agent.link.close(CloseCode.REVOKED, 'the agent certificate expired; enrol the agent again');
      }
    }
  } catch (error) {
    relay.log.warn({ err: (error as Error).message }, 'access check failed; trying again at the next one');
  }
}

/**
 * A revoked machine's sessions end at once and for good (consoles are told
 * MACHINE_REVOKED, not invited to resume), then its link closes with 4004.
 */
function revokeAgent(relay: Relay, agent: AgentLink): void {
  const message = defaultMessage('MACHINE_REVOKED');
  for (const route of [...agent.channels.values()]) {
    if (route.state === 'opening') route.console?.link.sendError('MACHINE_REVOKED', message, route.consoleChannel);
    else {
      route.console?.link.send({
        type: 'closed',
        channel: route.consoleChannel,
        code: 'MACHINE_REVOKED',
        message,
        resumable: false,
      });
    }
    relay.release(route);
  }
  const sessions = relay.store.openSessionIds(agent.machine.id);
  for (const sessionId of sessions) {
    relay.endSession(sessionId, { exitCode: null, exitSignal: null, endReason: 'MACHINE_REVOKED' });
  }
  agent.link.log.warn({ sessions: sessions.length }, 'machine revoked: sessions ended, link closed');
  agent.link.close(CloseCode.REVOKED, 'the machine was revoked');
}
