import { Backoff, DEFAULT_BACKOFF } from '../backoff';
import type { Disposable } from '../disposable';
import type { z } from 'zod';
import {
  ConsoleAttach,
  ConsoleOpen,
  decodeBinaryFrame,
  decodeBrokerToConsole,
  DEFAULT_RESUME_GRACE_MS,
  describeCloseCode,
  encodeBroadcastFrame,
  encodeMessage,
  formatVersion,
  isCompatible,
  isFatalCloseCode,
  MAX_BROADCAST_TARGETS,
  MAX_DATA_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  type BrokerToConsole,
  type ConsoleOpened,
  type ConsoleToBroker,
  type ErrorCode,
  type Welcome,
} from '../protocol';
import { ChannelTable } from './channelTable';
import type { ConsoleLinkOptions, LinkState, OpenRequest, ProtocolProblem } from './consoleLinkOptions';
import { Emitter, type Listener } from './emitter';
import { LinkClosedError, ProtocolRefusal } from './errors';
import { TerminalChannel, type ChannelHost } from './terminalChannel';
import { systemTimers, type Timers } from './timers';
import { chunks, toBytes } from './utf8';
import { AUTH_FAILED_CLOSE_CODE, SocketState, type WebSocketLike } from './webSocketLike';

export type { ConsoleLinkOptions, LinkState, OpenRequest, ProtocolProblem };

/**
 * A console's link to the broker: one WebSocket carrying many terminal
 * channels. Connects at construction, says hello and waits for the welcome;
 * reconnects after any drop (Backoff) and re-attaches every live channel from
 * its offset; stops on fatal close codes and when the socket factory reports
 * a refused credential (AUTH_FAILED_CLOSE_CODE). Never throws on bad input:
 * invalid frames go to onProtocolError.
 */
export class ConsoleLink implements Disposable {
  private socket: WebSocketLike | undefined;
  private welcomed = false;
  private lastWelcome: Welcome | undefined;
  private everConnected = false;
  private currentState: LinkState = 'connecting';
  private closedError: LinkClosedError | undefined;
  private lastBrokerError: { code: ErrorCode; message: string } | undefined;
  private readonly backoff: Backoff;
  private reconnectTimer: unknown;
  /** When the reconnect timer fires (timers.now() clock); undefined while no reconnect is waiting. */
  private reconnectAt: number | undefined;
  private welcomeTimer: unknown;
  private readonly table = new ChannelTable();
  private readyWaiters: Array<{ resolve(welcome: Welcome): void; reject(error: Error): void }> = [];
  private readonly stateEmitter = new Emitter<LinkState>();
  private readonly problemEmitter = new Emitter<ProtocolProblem>();
  private readonly timers: Timers;
  private readonly host: ChannelHost;

  constructor(private readonly options: ConsoleLinkOptions) {
    this.timers = options.timers ?? systemTimers;
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.host = this.createHost();
    this.connect();
  }

  get state(): LinkState {
    return this.currentState;
  }

  /** While reconnecting: when the next attempt is due (the Timers clock), for "reconnecting in N s". */
  get nextReconnectAt(): number | undefined {
    return this.reconnectAt;
  }

  /** Bytes queued on the socket; writers of bulk input can pause above a bound of their choice. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Live channels (open or resuming). */
  get channels(): TerminalChannel[] {
    return [...this.table.live];
  }

  /** Resolves with the welcome once connected (at once if connected now);
   *  rejects with LinkClosedError if the link closes for good first. */
  ready(): Promise<Welcome> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.welcomed && this.lastWelcome) return Promise.resolve(this.lastWelcome);
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  onState(listener: Listener<LinkState>): Disposable {
    return this.stateEmitter.event(listener);
  }

  onProtocolError(listener: Listener<ProtocolProblem>): Disposable {
    return this.problemEmitter.event(listener);
  }

  /**
   * Opens a session. Waits for the link to be connected. Rejects with
   * ProtocolRefusal (its `code` from the error catalog) when the broker or
   * the agent refuses, or when the request is invalid (BAD_REQUEST, not
   * sent); with LinkClosedError when the link drops before the answer.
   */
  async open(request: OpenRequest): Promise<TerminalChannel> {
    const checked = ConsoleOpen.safeParse({ type: 'open', channel: 1, mode: 'shell', ...request });
    if (!checked.success) throw badRequest(checked.error);
    await this.ready();
    const channel = this.table.allocate();
    return new Promise((resolve, reject) => {
      this.table.requests.set(channel, { kind: 'open', resolve, reject });
      this.sendControl({ ...checked.data, channel });
    });
  }

  /** Takes up a kept session (detached, or left by another link of this
   *  operator) from output offset `offset`. Rejects like open(). */
  async attach(sessionId: string, offset: number): Promise<TerminalChannel> {
    const checked = ConsoleAttach.safeParse({ type: 'attach', channel: 1, sessionId, offset });
    if (!checked.success) throw badRequest(checked.error);
    await this.ready();
    const channel = this.table.allocate();
    return new Promise((resolve, reject) => {
      this.table.requests.set(channel, { kind: 'attach', offset, resolve, reject });
      this.sendControl({ type: 'attach', channel, sessionId, offset });
    });
  }

  /**
   * Sends the same input to several channels in one broadcast frame per
   * MAX_DATA_PAYLOAD_BYTES of input; the broker fans it out. Channels that
   * are resuming get the input held for their re-attach; ended ones are skipped.
   */
  broadcast(channels: readonly TerminalChannel[], data: Uint8Array | string): void {
    const bytes = toBytes(data);
    if (bytes.byteLength === 0) return;
    const targets: TerminalChannel[] = [];
    for (const channel of new Set(channels)) {
      const id = channel.channelId;
      if (channel.status === 'open' && id !== undefined && this.table.attached.get(id) === channel)
        targets.push(channel);
      else if (channel.status === 'resuming' && this.table.live.has(channel)) channel.write(bytes);
    }
    for (let at = 0; at < targets.length; at += MAX_BROADCAST_TARGETS) {
      const group = targets.slice(at, at + MAX_BROADCAST_TARGETS);
      const ids = group.map((channel) => channel.channelId!);
      let sentBytes = 0;
      for (const payload of chunks(bytes, MAX_DATA_PAYLOAD_BYTES)) {
        if (!this.sendBinary(encodeBroadcastFrame({ type: 'broadcast', channels: ids, payload }))) break;
        for (const channel of group) channel.recordBroadcast(payload);
        sentBytes += payload.byteLength;
      }
      // The socket is going away: each channel holds the rest for its re-attach, as write() does.
      if (sentBytes < bytes.byteLength) for (const channel of group) channel.write(bytes.subarray(sentBytes));
    }
  }

  /** Closes the link. Sessions stay on their machines for the resume grace
   *  period (the broker treats a closed link as a detach of its channels). */
  dispose(): void {
    if (this.currentState === 'closed') return;
    const socket = this.socket;
    this.finish(new LinkClosedError(1000, 'the console link was closed'));
    if (socket) this.closeQuietly(socket, 1000, 'client closed');
  }

  // ------------------------------------------------------------ connection

  private connect(): void {
    this.reconnectAt = undefined;
    let socket: WebSocketLike;
    try {
      socket = this.options.socketFactory();
    } catch (error) {
      this.handleDrop(1006, `could not create the connection: ${errorText(error)}`);
      return;
    }
    this.socket = socket;
    this.welcomed = false;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.sendControl({
        type: 'hello',
        protocol: { ...PROTOCOL_VERSION },
        role: 'console',
        software: this.options.software,
        capabilities: this.options.capabilities ?? [],
      });
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      if (typeof event.data === 'string') this.handleText(event.data);
      else if (event.data instanceof ArrayBuffer) this.handleBinary(new Uint8Array(event.data));
      else this.problem('BAD_FRAME', 'a binary frame did not arrive as an ArrayBuffer', 'client');
    };
    socket.onerror = () => {
      // onclose follows and carries the outcome.
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.handleDrop(event.code, event.reason);
    };
    this.welcomeTimer = this.timers.setTimeout(() => {
      if (socket !== this.socket || this.welcomed) return;
      this.closeQuietly(socket, 1000, 'no welcome');
      const seconds = Math.round(this.welcomeTimeoutMs / 1000);
      this.handleDrop(1006, `the broker did not answer the hello within ${seconds}s`);
    }, this.welcomeTimeoutMs);
  }

  private get welcomeTimeoutMs(): number {
    return this.options.welcomeTimeoutMs ?? 20_000;
  }

  private handleDrop(code: number, reason: string): void {
    const socket = this.socket;
    if (socket) this.detachSocket(socket);
    this.socket = undefined;
    this.welcomed = false;
    this.timers.clearTimeout(this.welcomeTimer);
    if (this.currentState === 'closed') return;

    const why = reason || this.lastBrokerError?.message || describeCloseCode(code);
    const error = new LinkClosedError(code, why);
    const giveUp =
      isFatalCloseCode(code) ||
      code === AUTH_FAILED_CLOSE_CODE ||
      (!this.everConnected && !this.options.retryFirstConnect);
    if (giveUp) return this.finish(error);

    this.table.linkDown(error);
    // Set before the state changes, so listeners of 'reconnecting' can say when.
    const delay = this.backoff.next();
    this.reconnectAt = this.timers.now() + delay;
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    this.reconnectTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  /** The link is closed for good: reject everything waiting and end every channel. */
  private finish(error: LinkClosedError): void {
    if (this.currentState === 'closed') return;
    this.closedError = error;
    this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectAt = undefined;
    this.timers.clearTimeout(this.welcomeTimer);
    if (this.socket) this.detachSocket(this.socket);
    this.socket = undefined;
    this.welcomed = false;
    this.setState('closed');
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
    this.table.linkClosed(error, {
      code: error.authFailed ? 'UNAUTHORIZED' : 'LINK_CLOSED',
      message: error.reason,
    });
    this.stateEmitter.dispose();
    this.problemEmitter.dispose();
  }

  private detachSocket(socket: WebSocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
  }

  private closeQuietly(socket: WebSocketLike, code: number, reason: string): void {
    this.detachSocket(socket);
    try {
      socket.close(code, reason);
    } catch {
      // Already closing: nothing to do.
    }
  }

  private setState(state: LinkState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.stateEmitter.fire(state);
  }

  // ------------------------------------------------------------ receiving

  private handleText(text: string): void {
    const decoded = decodeBrokerToConsole(text);
    if (!decoded.ok) return this.problem(decoded.error.code, decoded.error.message, 'client');
    const message: BrokerToConsole = decoded.value;
    if (!this.welcomed && message.type !== 'welcome' && message.type !== 'error') {
      return this.problem('UNEXPECTED_MESSAGE', `"${message.type}" arrived before the welcome`, 'client');
    }
    switch (message.type) {
      case 'welcome':
        return this.handleWelcome(message);
      case 'opened':
        return this.handleOpened(message);
      case 'exit': {
        const channel = this.takeAttached(message.channel, 'exit');
        channel?.handleExit(message);
        return;
      }
      case 'closed': {
        if (this.table.requests.has(message.channel))
          return this.refuse(message.channel, message.code, message.message);
        const channel = this.takeAttached(message.channel, 'closed');
        channel?.handleClosed(message.code, message.message, message.resumable);
        return;
      }
      case 'error':
        if (message.channel !== undefined && this.table.requests.has(message.channel)) {
          return this.refuse(message.channel, message.code, message.message);
        }
        if (!this.welcomed) this.lastBrokerError = { code: message.code, message: message.message };
        return this.problem(message.code, message.message, 'broker');
    }
  }

  private handleWelcome(welcome: Welcome): void {
    if (this.welcomed) return this.problem('UNEXPECTED_MESSAGE', 'a second welcome on the same link', 'client');
    if (!isCompatible(welcome.protocol)) {
      const socket = this.socket;
      const error = new LinkClosedError(
        4002,
        `the broker speaks protocol ${formatVersion(welcome.protocol)}, this client ${formatVersion(PROTOCOL_VERSION)}; update the older side`,
      );
      this.finish(error);
      if (socket) this.closeQuietly(socket, 1000, 'unsupported protocol version');
      return;
    }
    this.timers.clearTimeout(this.welcomeTimer);
    this.welcomed = true;
    this.everConnected = true;
    this.lastWelcome = welcome;
    this.lastBrokerError = undefined;
    this.backoff.reset();
    this.setState('connected');
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.resolve(welcome);
    for (const channel of [...this.table.live]) channel.linkUp();
  }

  private handleOpened(opened: ConsoleOpened): void {
    const request = this.table.takeRequest(opened.channel);
    if (!request) {
      return this.problem(
        'UNKNOWN_CHANNEL',
        `"opened" for channel ${opened.channel}, which we did not ask for`,
        'client',
      );
    }
    if (request.kind === 'reattach') {
      const channel = request.channel;
      if (channel.status === 'ended') {
        // We gave up while the attach was in flight: let the session go back to waiting.
        this.sendControl({ type: 'detach', channel: opened.channel });
        return this.table.release(opened.channel);
      }
      this.table.attach(opened.channel, channel);
      channel.handleAttached(opened.channel, opened);
      return;
    }
    const offset = request.kind === 'attach' ? request.offset : opened.offset;
    const channel = new TerminalChannel(this.host, {
      sessionId: opened.sessionId,
      machine: opened.machine,
      loginUser: opened.loginUser,
      channelId: opened.channel,
      offset,
    });
    this.table.attach(opened.channel, channel);
    if (request.kind === 'attach') channel.handleAttached(opened.channel, opened);
    request.resolve(channel);
  }

  private handleBinary(bytes: Uint8Array): void {
    const decoded = decodeBinaryFrame(bytes);
    if (!decoded.ok) return this.problem(decoded.error.code, decoded.error.message, 'client');
    const frame = decoded.value;
    if (!this.welcomed || frame.type !== 'output') {
      return this.problem('UNEXPECTED_MESSAGE', `a ${frame.type} frame is not expected from the broker here`, 'client');
    }
    const channel = this.table.attached.get(frame.channel);
    if (channel) return channel.handleOutput(frame.offset, frame.payload);
    if (!this.table.wasReleased(frame.channel)) {
      this.problem('UNKNOWN_CHANNEL', `output for channel ${frame.channel}, which is not open`, 'client');
    }
  }

  /** Removes and returns the channel attached under `id`; reports an unknown id. */
  private takeAttached(id: number, what: string): TerminalChannel | undefined {
    const channel = this.table.detach(id);
    if (!channel && !this.table.wasReleased(id)) {
      this.problem('UNKNOWN_CHANNEL', `"${what}" for channel ${id}, which is not open`, 'client');
    }
    return channel;
  }

  private refuse(id: number, code: ErrorCode, message: string): void {
    const request = this.table.takeRequest(id);
    this.table.release(id);
    if (!request) return;
    if (request.kind === 'reattach') request.channel.handleAttachRefused(code, message);
    else request.reject(new ProtocolRefusal(code, message));
  }

  private problem(code: string, message: string, source: ProtocolProblem['source']): void {
    this.problemEmitter.fire({ code, message, source });
  }

  // ------------------------------------------------------------ sending and channel ids

  private sendControl(message: ConsoleToBroker): boolean {
    return this.send(encodeMessage(message), message.type === 'hello');
  }

  private sendBinary(frame: Uint8Array): boolean {
    return this.send(frame, false);
  }

  private send(data: string | Uint8Array, beforeWelcome: boolean): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== SocketState.OPEN || (!this.welcomed && !beforeWelcome)) return false;
    try {
      socket.send(data);
      return true;
    } catch {
      // The socket is closing; onclose follows and the channel resumes.
      return false;
    }
  }

  private createHost(): ChannelHost {
    return {
      isConnected: () => this.welcomed && this.currentState === 'connected',
      timers: this.timers,
      resumeGiveUpMs: this.options.resumeGiveUpMs ?? DEFAULT_RESUME_GRACE_MS,
      backoff: this.options.backoff ?? DEFAULT_BACKOFF,
      sendControl: (message) => this.sendControl(message),
      sendBinary: (frame) => this.sendBinary(frame),
      requestReattach: (channel) => {
        const id = this.table.allocate();
        this.table.requests.set(id, { kind: 'reattach', channel });
        this.sendControl({ type: 'attach', channel: id, sessionId: channel.sessionId, offset: channel.offset });
      },
      forget: (channel) => this.table.forget(channel),
    };
  }
}

/** A request that the protocol would refuse anyway: refused here, without a round trip. */
function badRequest(error: z.ZodError): ProtocolRefusal {
  const issue = error.issues[0];
  return new ProtocolRefusal('BAD_REQUEST', `${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
