import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, type AgentToBroker, type BrokerToAgent } from '../../../common/protocol';

type Json = Record<string, unknown> & { type?: string };

/** One agent connection as the fake broker sees it. */
export class FakeAgentConnection {
  readonly messages: Json[] = [];
  readonly binary: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly socket: WebSocket,
    readonly headers: IncomingHttpHeaders,
  ) {
    socket.on('message', (data: RawData, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (isBinary) this.binary.push(bytes);
      else this.messages.push(JSON.parse(bytes.toString('utf8')) as Json);
      for (const wake of [...this.waiters]) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  send(message: BrokerToAgent | Json): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  welcome(identity = 'web-1'): void {
    this.send({
      type: 'welcome',
      protocol: { ...PROTOCOL_VERSION },
      software: 'fake-broker/0',
      heartbeatMs: 15_000,
      identity,
    });
  }

  /** The payload bytes of the output frames received so far (all channels). */
  get output(): string {
    return Buffer.concat(this.binary.map((frame) => frame.subarray(14))).toString('utf8');
  }

  /** Resolves once `test` holds, checked after each frame. */
  until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (!test()) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`${what} did not happen within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** The first message of `type` (received already or later) that matches. */
  next<T extends AgentToBroker['type']>(
    type: T,
    match: (m: Extract<AgentToBroker, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<AgentToBroker, { type: T }>> {
    type M = Extract<AgentToBroker, { type: T }>;
    const find = () => this.messages.find((m) => m.type === type && match(m as unknown as M)) as unknown as M;
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const message = find();
        if (!message) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no ${type} from the agent within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }
}

export interface FakeBrokerOptions {
  /** The credential accepted on /ws/agent; anything else gets 401. */
  credential: string;
  /** Answer every upgrade with 401 (a revoked or unknown credential). */
  rejectAll?: boolean;
  /** Answers POST /api/v1/enroll; by default a new credential for a machine named web-1. */
  enroll?: (body: Record<string, unknown>) => { status: number; body: unknown };
}

export function enrolledAs(credential: string, name = 'web-1') {
  return () => ({ status: 201, body: { machineId: 'm-0001', name, labels: { env: 'test' }, credential } });
}

/**
 * A small stand-in for the broker's agent endpoint: an HTTP server on
 * 127.0.0.1 port 0 that authenticates the upgrade like the real one (401
 * with a JSON error body before any socket exists) and hands each agent
 * connection to the test.
 */
export class FakeBroker {
  readonly connections: FakeAgentConnection[] = [];
  /** Bodies of the enrolment requests received. */
  readonly enrolments: Record<string, unknown>[] = [];
  upgrades = 0;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly options: FakeBrokerOptions,
  ) {
    server.on('upgrade', (request: IncomingMessage, socket, head) => {
      this.upgrades += 1;
      const authorized = request.headers.authorization === `Bearer ${options.credential}`;
      if (options.rejectAll || !authorized || request.url !== '/ws/agent') {
        const body = JSON.stringify({
          error: { code: 'UNAUTHORIZED', message: 'the machine credential is not valid' },
        });
        socket.end(
          `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        this.connections.push(new FakeAgentConnection(ws, request.headers));
        for (const wake of [...this.waiters]) wake();
      });
    });
  }

  static async start(options: FakeBrokerOptions): Promise<FakeBroker> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const broker = new FakeBroker(server, options);
    server.on('request', (request, response) => broker.onRequest(request, response));
    return broker;
  }

  /** The HTTP base, as given to `--broker`. */
  get httpUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws/agent`;
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'POST' || request.url !== '/api/v1/enroll') {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"code":"NOT_FOUND","message":"no"}}');
      return;
    }
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      this.enrolments.push(body);
      const answer = (this.options.enroll ?? enrolledAs(this.options.credential))(body);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  }

  /** The `n`th connection (0-based), once it exists. */
  connection(n: number, timeoutMs = 10_000): Promise<FakeAgentConnection> {
    const found = this.connections[n];
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const connection = this.connections[n];
        if (!connection) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(connection);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no agent connection #${n} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
