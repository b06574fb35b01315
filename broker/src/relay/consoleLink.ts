import type { WebSocket } from 'ws';
import {
  CloseCode,
  decodeConsoleToBroker,
  encodeDataFrame,
  rewriteChannel,
  type BroadcastFrame,
  type BrokerToConsole,
  type Close,
  type Detach,
  type Ack,
  type Resize,
} from '../../../common/protocol';
import type { Operator } from '../auth/operatorAuth';
import type { AgentLink } from './agentLink';
import { Link } from './link';
import type { Relay } from './relay';
import { BroadcastRuns } from './broadcastAudit';
import { broadcastStepUpReason } from './broadcastStepUp';
import { formatDuration } from '../../../common/duration';
import { ReleasedChannels } from './releasedChannels';
import type { Route } from './route';
import { attachSession, openSession } from './sessionRequests';

/** An operator's console link: requests, input and broadcasts for its channels. */
export class ConsoleLink {
  /** Routes by this link's (console-side) channel id, which the console chooses. */
  readonly channels = new Map<number, Route>();
  readonly released = new ReleasedChannels();
  /** Groups broadcast frames into broadcasts for the audit log. */
  private readonly broadcastRuns = new BroadcastRuns();
  readonly link: Link<BrokerToConsole>;

  constructor(
    private readonly relay: Relay,
    ws: WebSocket,
    readonly operator: Operator,
  ) {
    this.link = new Link(
      ws,
      relay.linkSweep,
      { parent: relay.log, bindings: { link: 'console', operator: operator.name } },
      {
        onText: (text) => this.onText(text),
        onBinary: (bytes) => this.onBinary(bytes),
        onClose: (code, reason) => relay.consoleClosed(this, code, reason),
      },
      { maxBufferedBytes: relay.options.maxConsoleBufferedBytes, onOverrun: () => this.dropSlowConsumer() },
    );
  }

  /** Its socket stopped draining: drop the link (4005); its sessions stay on the agents for resume. */
  dropSlowConsumer(): void {
    this.link.log.warn({ bufferedBytes: this.link.bufferedAmount }, 'slow consumer');
    this.link.close(CloseCode.SLOW_CONSUMER, 'the client did not read its output in time');
  }

  /**
   * Input for an agent link that already holds more unsent bytes than the
   * bound: the machine does not take input as fast as this console sends it.
   * The console is closed (4005, no close code fits better) rather than the
   * broker queueing without bound; its sessions are detached for resume.
   * Returns true when the input may be sent.
   */
  private agentTakesInput(agent: AgentLink): boolean {
    const buffered = agent.link.bufferedAmount;
    if (buffered <= this.relay.options.maxAgentBufferedBytes) return true;
    this.link.log.warn({ machine: agent.machine.name, agentBufferedBytes: buffered }, 'console input overran');
    this.link.close(
      CloseCode.INPUT_OVERRUN,
      `input overran machine "${agent.machine.name}": it did not take input in time`,
    );
    return false;
  }

  private onText(text: string): void {
    const decoded = decodeConsoleToBroker(text);
    if (!this.link.hasHello) {
      const hello = this.link.acceptHello(text, decoded, 'console');
      if (hello) {
        this.link.send(this.relay.welcome(this.operator.name));
        this.link.info({ software: hello.software, role: this.operator.role }, 'console connected');
      }
      return;
    }
    if (!decoded.ok) return this.link.invalid(decoded.error.code, decoded.error.message);
    const message = decoded.value;
    switch (message.type) {
      case 'hello':
        return this.link.invalid('UNEXPECTED_MESSAGE', 'hello was already received on this link');
      case 'open':
        return openSession(this.relay, this, message);
      case 'attach':
        return attachSession(this.relay, this, message);
      case 'resize':
      case 'ack':
      case 'close':
        return this.forward(message);
      case 'detach':
        return this.onDetach(message);
    }
  }

  private onBinary(bytes: Buffer): void {
    const frame = this.link.decodeBinary(bytes);
    if (!frame) return;
    if (frame.type === 'broadcast') return this.broadcast(frame);
    if (frame.type !== 'input') return this.link.invalid('UNEXPECTED_MESSAGE', 'consoles send input, not output');
    const route = this.routeFor(frame.channel);
    if (!route) return;
    if (!this.agentTakesInput(route.agent)) return;
    route.bytesIn += frame.payload.byteLength;
    // Relay without copying: the frame's own bytes go on, with the agent-side channel.
    rewriteChannel(bytes, route.agentChannel);
    route.agent.link.sendBinary(bytes);
  }

  /**
   * One input frame per named channel. Each target needs its own header, so
   * the (small, typed) payload is copied once per target; unknown channels
   * are reported once and do not stop the others.
   */
  private broadcast(frame: BroadcastFrame): void {
    const unknown: number[] = [];
    const routes: Route[] = [];
    for (const channel of frame.channels) {
      const route = this.channels.get(channel);
      if (route) routes.push(route);
      else if (!this.released.has(channel)) unknown.push(channel);
    }
    if (routes.length > 0 && !this.broadcastAllowed(routes)) return;
    for (const route of routes) {
      if (!this.agentTakesInput(route.agent)) return;
      route.bytesIn += frame.payload.byteLength;
      route.agent.link.sendBinary(
        encodeDataFrame({ type: 'input', channel: route.agentChannel, offset: 0, payload: frame.payload }),
      );
    }
    if (unknown.length > 0) {
      this.link.invalid('UNKNOWN_CHANNEL', `broadcast names channels not open on this link: ${unknown.join(', ')}`);
    }
  }

  /**
   * Checked once per broadcast (not per frame): a wide or sensitive one
   * needs a fresh step-up from a signed-in person, and each is audited once
   * with its id and targets (never what was typed).
   */
  private broadcastAllowed(routes: Route[]): boolean {
    const sessionIds = routes.map((route) => route.sessionId);
    const run = this.broadcastRuns.frame(sessionIds, this.relay.options.now());
    if (!run.started) return true;
    const { terminalAccess, broadcastStepUp } = this.relay.options;
    const reason = broadcastStepUpReason(
      broadcastStepUp,
      routes.map((route) => ({ machine: route.agent.machine })),
    );
    if (reason && !terminalAccess.stepUpFresh(this.operator)) {
      this.broadcastRuns.forget();
      this.link.sendError(
        'STEP_UP_REQUIRED',
        `${reason} needs a passkey check within the last ${formatDuration(terminalAccess.stepUpWindowMs)}; confirm, then type again`,
      );
      this.relay.audit.record('access.denied', {
        actor: this.operator.name,
        detail: { request: 'broadcast', code: 'STEP_UP_REQUIRED', sessionIds },
      });
      return false;
    }
    this.relay.audit.record('session.broadcast', {
      actor: this.operator.name,
      detail: { broadcastId: run.id, sessionIds },
    });
    return true;
  }

  private forward(message: Resize | Ack | Close): void {
    const route = this.routeFor(message.channel);
    if (!route || !this.agentTakesInput(route.agent)) return;
    route.agent.link.send({ ...message, channel: route.agentChannel });
  }

  private onDetach(message: Detach): void {
    const route = this.routeFor(message.channel);
    if (route) this.relay.detach(route);
  }

  /** The route on a channel; frames for a recently released channel are late, not invalid. */
  private routeFor(channel: number): Route | undefined {
    const route = this.channels.get(channel);
    if (!route && !this.released.has(channel)) {
      this.link.invalid('UNKNOWN_CHANNEL', `no channel ${channel} on this link`, channel);
    }
    return route;
  }
}
