import type { WebSocket } from 'ws';
import { formatDuration } from '../../../common/duration';
import {
  CloseCode,
  defaultMessage,
  PROTOCOL_VERSION,
  type ErrorCode,
  type Hello,
  type Welcome,
} from '../../../common/protocol';
import type { Operator, OperatorAuth } from '../auth/operatorAuth';
import type { AuditLog } from '../audit/auditLog';
import type { Logger } from '../../../node-common/logger';
import type { Machine, SessionEnd, Store } from '../store/store';
import { BROKER_SOFTWARE } from '../version';
import type { TerminalAccess } from '../auth/terminal/terminalAccess';
import type { BrokerTls } from '../tls/brokerTls';
import { closeLinksWithoutAccess } from './accessChecks';
import type { BroadcastStepUpRule } from './broadcastStepUp';
import { AgentLink } from './agentLink';
import { ConsoleLink } from './consoleLink';
import type { LinkTimings } from './link';
import { LinkSweep } from './linkSweep';
import type { Route } from './route';

export interface RelayOptions extends LinkTimings {
  store: Store;
  log: Logger;
  audit: AuditLog;
  /** A console link whose socket holds more unsent bytes than this is closed with 4005. */
  maxConsoleBufferedBytes: number;
  /**
   * A console whose input (or broadcast) finds its target agent link holding
   * more unsent bytes than this is closed with 4005: it types faster than the
   * machine takes input, and the broker will not queue the difference.
   */
  maxAgentBufferedBytes: number;
  /** An `open` or `attach` the agent has not answered after this long is refused and its route released. */
  agentReplyTimeoutMs: number;
  /**
   * How often open links have their API token (consoles) or certificate
   * (agents) checked for expiry; a dead one is closed (4004). Revocations
   * are acted on sooner, at the next external store change.
   */
  tokenRecheckIntervalMs: number;
  /** Signs renewed agent certificates. */
  tls: BrokerTls;
  /** Checks that an open console link's credential still stands. */
  operators: OperatorAuth;
  /** Spends the terminal tokens signed-in people open terminals with. */
  terminalAccess: TerminalAccess;
  /** Which broadcasts need a fresh step-up. */
  broadcastStepUp: BroadcastStepUpRule;
  /** Lifetime of renewed agent certificates; default 7 days. */
  agentCertValidityMs?: number;
  now: () => number;
}

/**
 * The session relay: which agent link serves which machine, and the routes
 * between console channels and agent channels. Links handle their own
 * frames (AgentLink, ConsoleLink) and call in here for what spans both.
 * The store is written at session boundaries only, never per data frame.
 */
export class Relay {
  /** Agent links that completed their hello, by machine id. */
  private readonly agents = new Map<string, AgentLink>();
  private readonly links = new Set<AgentLink | ConsoleLink>();
  private closing = false;
  private readonly tokenSweep: NodeJS.Timeout;
  /** Every link's hello deadline, pings and silence limit, on one timer. */
  readonly linkSweep: LinkSweep;

  constructor(readonly options: RelayOptions) {
    this.linkSweep = new LinkSweep(options);
    this.tokenSweep = setInterval(() => this.recheckAccess(), options.tokenRecheckIntervalMs);
    this.tokenSweep.unref();
  }

  get store(): Store {
    return this.options.store;
  }

  get log(): Logger {
    return this.options.log;
  }

  get audit(): AuditLog {
    return this.options.audit;
  }

  /** `certificateNotAfter`: when the client certificate the link was opened with expires (unless renewed on it). */
  acceptAgent(ws: WebSocket, machine: Machine, certificateNotAfter: number): void {
    if (this.closing) return void ws.close(CloseCode.GOING_AWAY, 'the broker is shutting down');
    this.links.add(new AgentLink(this, ws, machine, certificateNotAfter));
  }

  acceptConsole(ws: WebSocket, operator: Operator): void {
    if (this.closing) return void ws.close(CloseCode.GOING_AWAY, 'the broker is shutting down');
    this.links.add(new ConsoleLink(this, ws, operator));
  }

  agentFor(machineId: string): AgentLink | undefined {
    return this.agents.get(machineId);
  }

  agentNamed(name: string): AgentLink | undefined {
    for (const agent of this.agents.values()) if (agent.machine.name === name) return agent;
    return undefined;
  }

  welcome(identity: string): Welcome {
    return {
      type: 'welcome',
      protocol: { ...PROTOCOL_VERSION },
      software: BROKER_SOFTWARE,
      heartbeatMs: this.options.heartbeatIntervalMs,
      identity,
    };
  }

  /**
   * An agent said hello: it becomes its machine's link (replacing an older
   * one, 4003), the machine goes online, and open sessions the agent no
   * longer holds are ended.
   */
  registerAgent(agent: AgentLink, hello: Hello): void {
    const { machine } = agent;
    const previous = this.agents.get(machine.id);
    if (previous && previous !== agent) {
      previous.link.close(CloseCode.REPLACED, 'replaced by a newer connection from the same machine');
    }
    this.agents.set(machine.id, agent);
    const now = this.options.now();
    const info = hello.agent;
    this.persist('mark machine online', () =>
      this.store.markMachineOnline(
        machine.id,
        {
          hostname: info?.hostname ?? machine.hostname,
          os: info?.os ?? machine.os,
          arch: info?.arch ?? machine.arch,
          agentVersion: hello.software,
        },
        now,
      ),
    );
    const held = new Set((info?.sessions ?? []).map((session) => session.sessionId));
    this.persist('end sessions the agent lost', () => {
      for (const sessionId of this.store.openSessionIds(machine.id)) {
        if (held.has(sessionId) || agent.routeOf(sessionId)) continue;
        this.endSession(sessionId, { exitCode: null, exitSignal: null, endReason: 'RESUME_EXPIRED' });
      }
    });
    agent.link.send(this.welcome(machine.name));
    agent.link.info({ software: hello.software, sessions: held.size }, 'agent connected');
  }

  /** Every console channel on a lost agent link is released as resumable; the machine goes offline. */
  agentClosed(agent: AgentLink, code: number, reason: string): void {
    this.links.delete(agent);
    for (const route of [...agent.channels.values()]) {
      const message = defaultMessage('AGENT_DISCONNECTED');
      if (route.state === 'opening') {
        // The console never learned the session id, so it cannot resume: refuse the open instead.
        route.console?.link.sendError('AGENT_DISCONNECTED', message, route.consoleChannel);
        this.endSession(route.sessionId, { exitCode: null, exitSignal: null, endReason: 'AGENT_DISCONNECTED' });
      } else {
        route.console?.link.send({
          type: 'closed',
          channel: route.consoleChannel,
          code: 'AGENT_DISCONNECTED',
          message,
          resumable: true,
        });
      }
      this.release(route);
    }
    if (this.agents.get(agent.machine.id) === agent) {
      this.agents.delete(agent.machine.id);
      const now = this.options.now();
      this.persist('mark machine offline', () => this.store.markMachineOffline(agent.machine.id, now));
    }
    if (agent.link.hasHello) agent.link.info({ code, reason }, 'agent disconnected');
  }

  /**
   * A console link that ends detaches all its sessions, so they can be
   * resumed. A session whose open is still pending is closed instead: its
   * console never learned the session id, so nobody could resume it.
   */
  consoleClosed(consoleLink: ConsoleLink, code: number, reason: string): void {
    this.links.delete(consoleLink);
    for (const route of [...consoleLink.channels.values()]) this.detach(route);
    if (consoleLink.link.hasHello) consoleLink.link.info({ code, reason }, 'console disconnected');
  }

  /** Releases a console channel but keeps its session on the agent for resume. */
  detach(route: Route): void {
    if (route.state === 'opening') {
      route.agent.link.send({ type: 'close', channel: route.agentChannel });
      route.console?.channels.delete(route.consoleChannel);
      route.console?.released.add(route.consoleChannel, route.sessionId);
      route.console = undefined;
      return;
    }
    route.agent.link.send({ type: 'detach', channel: route.agentChannel });
    this.release(route);
    this.log.info({ sessionId: route.sessionId }, 'session detached');
  }

  bind(route: Route): void {
    route.console?.channels.set(route.consoleChannel, route);
    route.console?.released.delete(route.consoleChannel);
    route.agent.channels.set(route.agentChannel, route);
  }

  /**
   * Gives the agent agentReplyTimeoutMs to answer the `open` or `attach` just
   * sent for this route. An agent that never answers (stuck, or buggy) would
   * otherwise hold the console's channel and the session row forever.
   */
  awaitAgentReply(route: Route): void {
    route.replyTimer = setTimeout(() => this.agentReplyTimedOut(route), this.options.agentReplyTimeoutMs);
    route.replyTimer.unref();
  }

  /** The agent answered (or the route went): the deadline no longer applies. */
  agentReplied(route: Route): void {
    clearTimeout(route.replyTimer);
    route.replyTimer = undefined;
  }

  private agentReplyTimedOut(route: Route): void {
    route.replyTimer = undefined;
    const { agent } = route;
    if (route.state === 'open' || agent.channels.get(route.agentChannel) !== route) return;
    const opening = route.state === 'opening';
    const waited = formatDuration(this.options.agentReplyTimeoutMs);
    route.console?.link.sendError(
      'AGENT_TIMEOUT',
      `machine "${agent.machine.name}" did not answer the ${opening ? 'open' : 'attach'} within ${waited}; ` +
        'its agent may be stuck; try again, or restart fleetterm-agent there',
      route.consoleChannel,
    );
    // Should the agent get to it after all, it closes (or detaches) at once; a pending open whose console
    // left was already sent `close` by detach().
    if (!opening) agent.link.send({ type: 'detach', channel: route.agentChannel });
    else if (route.console) agent.link.send({ type: 'close', channel: route.agentChannel });
    this.release(route);
    if (opening) this.persist('forget unanswered session', () => this.store.deleteSession(route.sessionId));
    agent.link.log.warn({ sessionId: route.sessionId, state: route.state, waited }, 'agent did not answer');
  }

  /** Removes a route from both links and flushes its byte counts. Idempotent. */
  release(route: Route): void {
    this.agentReplied(route);
    const { console: consoleLink, agent } = route;
    if (consoleLink?.channels.get(route.consoleChannel) === route) {
      consoleLink.channels.delete(route.consoleChannel);
      consoleLink.released.add(route.consoleChannel, route.sessionId);
    }
    if (agent.channels.get(route.agentChannel) === route) {
      agent.channels.delete(route.agentChannel);
      agent.released.add(route.agentChannel, route.sessionId);
    }
    const { bytesIn, bytesOut } = route;
    route.bytesIn = 0;
    route.bytesOut = 0;
    this.persist('count session bytes', () => this.store.addSessionBytes(route.sessionId, bytesIn, bytesOut));
  }

  endSession(sessionId: string, end: Omit<SessionEnd, 'endedAt'>): void {
    const endedAt = this.options.now();
    this.persist('end session', () => {
      // Only the call that ends it is audited: later reports of the same end change nothing.
      if (!this.store.endSession(sessionId, { ...end, endedAt })) return;
      const actor = this.store.findSession(sessionId)?.operator;
      this.audit.record('session.ended', { actor, target: sessionId, detail: { ...end } });
    });
    this.log.info({ sessionId, ...end }, 'session ended');
  }

  /** Store writes never take the relay down: a failure is logged and the relay goes on. */
  persist(what: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      this.log.error({ err: error instanceof Error ? error.message : String(error), what }, 'store write failed');
    }
  }

  refuse(consoleLink: ConsoleLink, channel: number, code: ErrorCode, message = defaultMessage(code)): void {
    consoleLink.link.sendError(code, message, channel);
  }

  /** Closes the links whose token, machine or certificate no longer lets them in (see accessChecks.ts). */
  recheckAccess(): void {
    closeLinksWithoutAccess(this);
  }

  *consoleLinks(): Iterable<ConsoleLink> {
    for (const link of this.links) if (link instanceof ConsoleLink) yield link;
  }

  *agentLinks(): Iterable<AgentLink> {
    for (const link of this.links) if (link instanceof AgentLink) yield link;
  }

  /** Closes every link with 1001; their sessions stay with the agents for resume. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.tokenSweep);
    for (const link of [...this.links]) link.link.close(CloseCode.GOING_AWAY, 'the broker is shutting down');
  }
}
