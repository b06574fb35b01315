import type { WebSocket } from 'ws';
import {
  decodeAgentToBroker,
  rewriteChannel,
  type AgentOpened,
  type BrokerToAgent,
  type Closed,
  type Ended,
  type ErrorMessage,
  type Exit,
} from '../../../common/protocol';
import type { Machine } from '../store/store';
import { renewAgentCertificate } from './certificateRenewal';
import { Link } from './link';
import type { Relay } from './relay';
import { ReleasedChannels } from './releasedChannels';
import type { Route } from './route';

const MAX_CHANNEL = 0xffff_ffff;

/** A machine's agent link: answers to the broker's requests and output for its channels. */
export class AgentLink {
  /** Routes by this link's (agent-side) channel id, which the broker chooses. */
  readonly channels = new Map<number, Route>();
  /** The sessions of recently released channels, for exits that crossed a detach. */
  readonly released = new ReleasedChannels();
  /** Errors are sent to agents too (see the report on BrokerToAgent). */
  readonly link: Link<BrokerToAgent>;
  private nextChannel = 1;
  /** Set once allocation wrapped past MAX_CHANNEL: then every id may have been allocated before. */
  private wrapped = false;

  constructor(
    private readonly relay: Relay,
    ws: WebSocket,
    readonly machine: Machine,
    /** When the certificate this link stands on expires; a renewal on the link moves it. */
    public certificateNotAfter: number,
  ) {
    const logging = { parent: relay.log, bindings: { link: 'agent', machine: machine.name } };
    this.link = new Link(ws, relay.linkSweep, logging, {
      onText: (text) => this.onText(text),
      onBinary: (bytes) => this.onBinary(bytes),
      onClose: (code, reason) => relay.agentClosed(this, code, reason),
    });
  }

  /**
   * Channel ids are allocated in increasing order, so every id below the
   * next one was used before: a late frame cannot be misrouted (only after
   * 2^32 allocations does an id come round again, and then never one in
   * use or recently released).
   */
  allocateChannel(): number {
    for (;;) {
      const channel = this.nextChannel;
      if (channel >= MAX_CHANNEL) {
        this.nextChannel = 1;
        this.wrapped = true;
      } else this.nextChannel = channel + 1;
      if (!this.channels.has(channel) && !this.released.has(channel)) return channel;
    }
  }

  /**
   * A channel that was allocated and is no longer open. Frames for it are
   * late (sent before the agent saw our detach or close), not invalid, however
   * many channels were released since: one operator attaching and detaching
   * in a loop must not get the machine's link closed for invalid frames.
   */
  private wasReleased(channel: number): boolean {
    return !this.channels.has(channel) && (this.wrapped || (channel >= 1 && channel < this.nextChannel));
  }

  routeOf(sessionId: string): Route | undefined {
    for (const route of this.channels.values()) if (route.sessionId === sessionId) return route;
    return undefined;
  }

  private onText(text: string): void {
    const decoded = decodeAgentToBroker(text);
    if (!this.link.hasHello) {
      const hello = this.link.acceptHello(text, decoded, 'agent');
      if (hello) this.relay.registerAgent(this, hello);
      return;
    }
    if (!decoded.ok) return this.link.invalid(decoded.error.code, decoded.error.message);
    const message = decoded.value;
    switch (message.type) {
      case 'hello':
        return this.link.invalid('UNEXPECTED_MESSAGE', 'hello was already received on this link');
      case 'opened':
        return this.onOpened(message);
      case 'exit':
        return this.onExit(message);
      case 'ended':
        return this.onEnded(message);
      case 'closed':
        return this.onClosed(message);
      case 'error':
        return this.onError(message);
      case 'renew':
        return void renewAgentCertificate(this.relay, this, message);
    }
  }

  /** Output is relayed by rewriting the frame's channel in place: the payload is never copied. */
  private onBinary(bytes: Buffer): void {
    const frame = this.link.decodeBinary(bytes);
    if (!frame) return;
    if (frame.type !== 'output') {
      return this.link.invalid('UNEXPECTED_MESSAGE', `agents send output frames, not ${frame.type}`);
    }
    const route = this.routeFor(frame.channel);
    const target = route?.console;
    if (!route || !target) return;
    if (target.link.bufferedAmount > this.relay.options.maxConsoleBufferedBytes) {
      target.dropSlowConsumer();
      return;
    }
    route.bytesOut += frame.payload.byteLength;
    rewriteChannel(bytes, route.consoleChannel);
    target.link.sendBinary(bytes);
  }

  private onOpened(message: AgentOpened): void {
    const route = this.routeFor(message.channel);
    if (!route) return;
    if (route.state === 'open') {
      return this.link.invalid('UNEXPECTED_MESSAGE', `channel ${message.channel} is already open`, message.channel);
    }
    const attached = route.state === 'attaching';
    route.state = 'open';
    this.relay.agentReplied(route);
    if (!attached) {
      this.relay.persist('record login user', () =>
        this.relay.store.setSessionLoginUser(route.sessionId, message.loginUser),
      );
    }
    const operator = route.console?.operator.name ?? this.relay.store.findSession(route.sessionId)?.operator;
    this.relay.audit.record(attached ? 'session.attached' : 'session.opened', {
      actor: operator,
      target: route.sessionId,
      detail: {
        machine: this.machine.name,
        loginUser: message.loginUser,
        ...(attached ? { offset: message.offset } : this.openDetail(route.sessionId)),
      },
    });
    // A console that left while the open was pending was answered with `close`; the exit follows.
    if (!route.console) return;
    route.console.link.send({
      type: 'opened',
      channel: route.consoleChannel,
      sessionId: route.sessionId,
      machine: this.machine.name,
      loginUser: message.loginUser,
      offset: message.offset,
      ...(message.lost ? { lost: message.lost } : {}),
      ...(message.inputOffset !== undefined ? { inputOffset: message.inputOffset } : {}),
    });
    this.link.log.info(
      { sessionId: route.sessionId, operator: route.console.operator.name, loginUser: message.loginUser },
      attached ? 'session attached' : 'session opened',
    );
  }

  private onExit(message: Exit): void {
    const route = this.channels.get(message.channel);
    // An exit that crossed our detach still ends its session.
    const sessionId = route?.sessionId ?? this.released.sessionOf(message.channel);
    if (!sessionId) {
      // Released too long ago to remember its session: the agent reports a detached session's end with `ended`.
      if (this.wasReleased(message.channel)) return;
      return this.link.invalid('UNKNOWN_CHANNEL', `no channel ${message.channel}`, message.channel);
    }
    if (route?.console) {
      route.console.link.send({
        type: 'exit',
        channel: route.consoleChannel,
        code: message.code,
        signal: message.signal,
        offset: message.offset,
        ...(message.reason ? { reason: message.reason } : {}),
      });
    }
    if (route) this.relay.release(route);
    this.released.delete(message.channel);
    this.relay.endSession(sessionId, {
      exitCode: message.code,
      exitSignal: message.signal,
      endReason: message.reason?.code ?? null,
    });
  }

  /** A detached session ended on the agent; only this machine's own sessions may be ended. */
  private onEnded(message: Ended): void {
    if (!this.relay.store.openSessionIds(this.machine.id).includes(message.sessionId)) {
      return this.link.invalid('SESSION_NOT_FOUND', `no open session ${message.sessionId} on this machine`);
    }
    this.relay.endSession(message.sessionId, {
      exitCode: message.code,
      exitSignal: message.signal,
      endReason: message.reason?.code ?? null,
    });
  }

  private onClosed(message: Closed): void {
    const route = this.routeFor(message.channel);
    if (!route) return;
    route.console?.link.send({ ...message, channel: route.consoleChannel });
    this.relay.release(route);
    if (!message.resumable) {
      this.relay.endSession(route.sessionId, { exitCode: null, exitSignal: null, endReason: message.code });
    }
  }

  /** A refused open or attach frees its channel; an error without a channel is about our own frames. */
  private onError(message: ErrorMessage): void {
    if (message.channel === undefined) {
      this.link.log.warn({ code: message.code, detail: message.message }, 'agent reported an error');
      return;
    }
    const route = this.routeFor(message.channel);
    if (!route) return;
    route.console?.link.sendError(message.code, message.message, route.consoleChannel);
    if (route.state === 'open') return;
    this.relay.audit.record('session.refused', {
      actor: route.console?.operator.name,
      target: route.sessionId,
      detail: {
        request: route.state === 'opening' ? 'open' : 'attach',
        code: message.code,
        machine: this.machine.name,
        by: 'agent',
      },
    });
    this.relay.release(route);
    if (route.state === 'opening') {
      this.relay.persist('forget refused session', () => this.relay.store.deleteSession(route.sessionId));
      this.link.log.info({ sessionId: route.sessionId, code: message.code }, 'session refused');
    } else if (message.code === 'SESSION_NOT_FOUND') {
      this.relay.endSession(route.sessionId, { exitCode: null, exitSignal: null, endReason: 'RESUME_EXPIRED' });
    }
  }

  /** What an opened session's audit entry says about how it was asked for (never its output). */
  private openDetail(sessionId: string): Record<string, unknown> {
    const session = this.relay.store.findSession(sessionId);
    return session ? { mode: session.mode, command: session.command } : {};
  }

  /** The route on a channel; frames for a released channel are late, not invalid. */
  private routeFor(channel: number): Route | undefined {
    const route = this.channels.get(channel);
    if (!route && !this.wasReleased(channel)) {
      this.link.invalid('UNKNOWN_CHANNEL', `no channel ${channel} on this link`, channel);
    }
    return route;
  }
}
