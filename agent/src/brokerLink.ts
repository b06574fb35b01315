import { arch, hostname, platform } from 'node:os';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { Backoff } from '../../common/backoff';
import {
  CloseCode,
  decodeBinaryFrame,
  decodeBrokerToAgent,
  describeCloseCode,
  encodeMessage,
  isFatalCloseCode,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type AgentToBroker,
  type BrokerToAgent,
  type ErrorCode,
  type Renewed,
} from '../../common/protocol';
import { LinkWriteBatch } from '../../node-common/linkWriteBatch';
import { clampOutgoing } from './outgoingMessage';
import type { SessionManager } from './sessionManager';
import { AGENT_SOFTWARE } from './version';

/** What the link drives: the session manager (tests may stand in for it). */
export type LinkSessions = Pick<
  SessionManager,
  'liveSessions' | 'setTransport' | 'open' | 'attach' | 'resize' | 'ack' | 'close' | 'detach' | 'input'
>;

/** What the agent presents and trusts on its link, PEM; read at each connection, so a renewal takes effect. */
export interface LinkTls {
  cert: string;
  key: string;
  ca: string[];
}

export interface BrokerLinkOptions {
  /** The agent listener, `wss://…/ws/agent`. */
  url: string;
  tls: () => LinkTls;
  /** After each welcome: the link is up (a renewal that was due can be asked for now). */
  onConnected?: () => void;
  /** A renewal the broker granted (see CertificateRenewal). */
  onRenewed?: (renewed: Renewed) => void;
  /** A renewal the broker refused, with its reason. */
  onRenewalRefused?: (code: ErrorCode, message: string) => void;
  sessions: LinkSessions;
  log: Logger;
  reconnectMaxDelayMs: number;
  heartbeatTimeoutMs: number;
  /** Backoff randomness; tests pass a fixed one. */
  random?: () => number;
}

/** Why the link stopped for good; the agent exits with this. */
export interface LinkStop {
  reason: 'certificate rejected' | 'machine revoked' | 'refused by the broker' | 'certificate expired' | 'stopped';
  message: string;
}

/** The first backoff ceiling (common/backoff's default), doubling up to reconnect_max_delay. */
const BACKOFF_BASE_MS = 500;
/** A handshake that does not complete in this time is abandoned and retried. */
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** stop() waits this long for the broker to answer the close frame. */
const CLOSE_WAIT_MS = 2000;
/** The broker's refusal body is read up to this size for the log. */
const MAX_REFUSAL_BODY = 4096;
/** A refusal body not complete by then is given up on (the link is dropped and redialled). */
const REFUSAL_BODY_TIMEOUT_MS = 5000;

/** The broker's JSON refusal: its code (when it has one) and a line for people. */
function readRefusal(status: number, body: string): { code?: string; detail: string } {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    if (typeof message === 'string') {
      return typeof code === 'string' ? { code, detail: `${code}: ${message}` } : { detail: message };
    }
  } catch {
    // not JSON: a proxy's page, say
  }
  return { detail: `HTTP ${status}` };
}

/**
 * The agent's outbound link to the broker. It reconnects after any drop
 * (exponential backoff with full jitter, reset after a welcome) and gives up
 * only when the broker rejects the certificate (401), says the machine is
 * revoked (403 MACHINE_REVOKED; another 403 may be a proxy's and is retried)
 * or closes with a code
 * after which retrying cannot help (4002, 4003, 4004). Sessions outlive the
 * link: they detach when it drops and are listed in the next hello so
 * consoles can re-attach. Nothing heard for heartbeat_timeout (the broker
 * pings every 15 s) means the path is dead: the socket is dropped and redialled.
 */
export class BrokerLink {
  private ws: WebSocket | undefined;
  /** The frames sent on `ws` by one callback go out in one write. */
  private writes: LinkWriteBatch | undefined;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private welcomed = false;
  private stopped = false;
  private resolveStop!: (stop: LinkStop) => void;
  /** Resolves when the link has stopped for good. */
  readonly done: Promise<LinkStop>;

  constructor(private readonly options: BrokerLinkOptions) {
    this.backoff = new Backoff({
      baseMs: Math.min(BACKOFF_BASE_MS, options.reconnectMaxDelayMs),
      capMs: options.reconnectMaxDelayMs,
      ...(options.random ? { random: options.random } : {}),
    });
    this.done = new Promise((resolve) => (this.resolveStop = resolve));
  }

  /** True between a welcome and the next drop. */
  get connected(): boolean {
    return this.welcomed && this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.connect();
  }

  /** Asks for a new certificate for the key behind `csr`; false when not connected (ask again after the next welcome). */
  requestRenewal(csr: string): boolean {
    if (!this.connected) return false;
    this.sendText({ type: 'renew', csr });
    return true;
  }

  /** Stops for good (the agent then exits) for a reason found outside the link, e.g. an expired certificate. */
  fail(stop: LinkStop): void {
    this.finish(stop);
    this.ws?.close(CloseCode.NORMAL, stop.message.slice(0, 120));
  }

  /** Closes the link normally (1000) and stops reconnecting; resolves once closed. */
  async stop(): Promise<void> {
    this.finish({ reason: 'stopped', message: 'the agent is stopping' });
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(CloseCode.NORMAL, 'agent stopping');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    if ((ws.readyState as number) !== WebSocket.CLOSED) ws.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    this.welcomed = false;
    const { cert, key, ca } = this.options.tls();
    const ws = new WebSocket(this.options.url, {
      cert,
      key,
      // Only the broker's own CA: the agent listener's certificate must come from it.
      ca,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    this.ws = ws;
    this.writes = new LinkWriteBatch(ws);
    ws.binaryType = 'nodebuffer';

    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      let settled = false;
      // Only the response's end reads the whole body; a body cut off or stalled must not
      // leave the socket half-open (no 'close' on ws means no reconnect).
      const settle = () => {
        if (settled) return;
        settled = true;
        clearTimeout(bodyTimer);
        this.onRefused(response.statusCode ?? 0, body);
        ws.terminate();
      };
      const bodyTimer = setTimeout(settle, REFUSAL_BODY_TIMEOUT_MS);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < MAX_REFUSAL_BODY) body += chunk;
      });
      response.on('end', settle);
      response.on('aborted', settle);
      response.on('error', settle);
      response.on('close', settle);
    });
    ws.on('open', () => {
      this.heardFromBroker();
      this.sendText({
        type: 'hello',
        protocol: { ...PROTOCOL_VERSION },
        role: 'agent',
        software: AGENT_SOFTWARE,
        capabilities: [],
        agent: { hostname: hostname(), os: platform(), arch: arch(), sessions: this.options.sessions.liveSessions() },
      });
    });
    ws.on('ping', () => this.heardFromBroker());
    ws.on('pong', () => this.heardFromBroker());
    ws.on('message', (data: Buffer, isBinary) => {
      this.heardFromBroker();
      if (isBinary) this.onBinary(data);
      else this.onText(data.toString('utf8'));
    });
    ws.on('error', (error) => this.options.log.debug({ err: error.message }, 'link error'));
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString('utf8')));
  }

  /**
   * An HTTP answer instead of the upgrade. 401 means the broker rejected the
   * certificate and 403 MACHINE_REVOKED that the machine was revoked; another
   * 403 may come from a proxy or WAF in front of it, and like any other
   * status it is retried with backoff.
   */
  private onRefused(status: number, body: string): void {
    const { code, detail } = readRefusal(status, body);
    if (status === 401) {
      this.options.log.error({ status, detail }, 'certificate rejected');
      this.finish({
        reason: 'certificate rejected',
        message: `the broker rejected this machine's certificate: ${detail}`,
      });
    } else if (status === 403 && code === 'MACHINE_REVOKED') {
      this.options.log.error({ status, detail }, 'machine revoked');
      this.finish({ reason: 'machine revoked', message: `the broker revoked this machine: ${detail}` });
    } else {
      this.options.log.warn({ status, detail }, 'the broker refused the connection');
    }
  }

  private onText(text: string): void {
    const decoded = decodeBrokerToAgent(text);
    if (!decoded.ok) return this.complain(decoded.error.code, decoded.error.message);
    const message = decoded.value;
    if (message.type === 'error') {
      if (message.channel === undefined && (message.code === 'RENEWAL_REFUSED' || message.code === 'BAD_CSR')) {
        return this.options.onRenewalRefused?.(message.code, message.message);
      }
      this.options.log.warn(
        { code: message.code, detail: message.message, channel: message.channel },
        'the broker reported an error',
      );
      return;
    }
    if (!this.welcomed) {
      if (message.type !== 'welcome') {
        return this.complain('UNEXPECTED_MESSAGE', `expected welcome first, got ${message.type}`);
      }
      this.welcomed = true;
      this.backoff.reset();
      this.options.sessions.setTransport({
        send: (m) => this.sendText(m),
        sendBinary: (frame) => this.sendBinary(frame),
      });
      const sessions = this.options.sessions.liveSessions().length;
      this.options.log.info({ machine: message.identity, broker: message.software, sessions }, 'connected');
      this.options.onConnected?.();
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: Exclude<BrokerToAgent, { type: 'error' }>): void {
    const { sessions } = this.options;
    switch (message.type) {
      case 'open':
        return sessions.open(message);
      case 'attach':
        return sessions.attach(message);
      case 'resize':
        return this.known(sessions.resize(message.channel, message.cols, message.rows), message.channel, 'resize');
      case 'ack':
        // An ack may cross the session's exit: not worth a complaint.
        sessions.ack(message.channel, message.offset);
        return;
      case 'close':
        return this.known(sessions.close(message.channel), message.channel, 'close');
      case 'detach':
        return this.known(sessions.detach(message.channel), message.channel, 'detach');
      case 'renewed':
        return this.options.onRenewed?.(message);
      case 'welcome':
        return this.complain('UNEXPECTED_MESSAGE', 'welcome was already received on this link');
    }
  }

  private onBinary(bytes: Buffer): void {
    if (!this.welcomed) return this.complain('UNEXPECTED_MESSAGE', 'a data frame arrived before the welcome');
    const decoded = decodeBinaryFrame(bytes);
    if (!decoded.ok) return this.complain(decoded.error.code, decoded.error.message);
    const frame = decoded.value;
    if (frame.type !== 'input') {
      return this.complain('UNEXPECTED_MESSAGE', `agents receive input frames, not ${frame.type}`);
    }
    this.known(this.options.sessions.input(frame.channel, frame.payload), frame.channel, 'input');
  }

  /** Reports a frame for a channel with no session (no `channel` field: it refuses no request). */
  private known(found: boolean, channel: number, what: string): void {
    if (!found) this.complain('UNKNOWN_CHANNEL', `${what} for channel ${channel}, which has no session on this agent`);
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
    this.options.sessions.setTransport(undefined);
    this.ws = undefined;
    this.welcomed = false;
    if (isFatalCloseCode(code)) {
      this.finish({
        reason: 'refused by the broker',
        message: `${describeCloseCode(code)}${reason ? `: ${reason}` : ''}`,
      });
    }
    const delayMs = this.stopped ? null : this.backoff.next();
    this.options.log.info(
      { code, reason: reason || describeCloseCode(code), delayMs, attempt: this.backoff.attempts },
      'disconnected',
    );
    if (delayMs !== null) this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  /** Any frame or ping proves the path alive; silence for heartbeat_timeout drops it. */
  private heardFromBroker(): void {
    if (this.silenceTimer) {
      this.silenceTimer.refresh();
      return;
    }
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = undefined;
      this.options.log.warn({ silentMs: this.options.heartbeatTimeoutMs }, 'heartbeat timeout');
      this.ws?.terminate();
    }, this.options.heartbeatTimeoutMs);
  }

  private complain(code: ErrorCode, message: string): void {
    this.options.log.warn({ code, detail: message }, 'invalid frame from the broker');
    this.sendText({ type: 'error', code, message });
  }

  private sendText(message: AgentToBroker): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.writes?.send(encodeMessage(clampOutgoing(message)), false);
  }

  private sendBinary(frame: Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.writes?.send(frame, true);
  }

  private finish(stop: LinkStop): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.resolveStop(stop);
  }
}
