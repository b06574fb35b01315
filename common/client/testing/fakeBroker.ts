/**
 * A broker stand-in for the client's tests: a real `ws` server on
 * 127.0.0.1:0 that decodes what the client sends and lets a test answer as
 * the broker would (welcome, opened, output frames, exit, refusals, drops).
 * Test support only: nothing outside tests imports it.
 */
import WebSocket, { WebSocketServer } from 'ws';
import {
  decodeBinaryFrame,
  decodeConsoleToBroker,
  encodeDataFrame,
  encodeMessage,
  PROTOCOL_VERSION,
  type BinaryFrame,
  type DataFrame,
  type BrokerToConsole,
  type ConsoleToBroker,
} from '../../protocol';
import { toBytes } from '../utf8';
import type { SocketFactory, WebSocketLike } from '../webSocketLike';

export type Received = ConsoleToBroker | BinaryFrame;
/** The received frame type for a `type` tag (input and output share DataFrame). */
export type ReceivedOf<T extends Received['type']> = T extends DataFrame['type']
  ? DataFrame
  : Extract<Received, { type: T }>;

export class FakeConnection {
  private readonly inbox: Received[] = [];
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const decoded = isBinary
        ? decodeBinaryFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice())
        : decodeConsoleToBroker(data.toString('utf8'));
      if (!decoded.ok) throw new Error(`the client sent an invalid frame: ${decoded.error.message}`);
      this.inbox.push(decoded.value);
      for (const waiter of [...this.waiters]) waiter();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Waits for (and removes) the first received frame of this type. */
  take<T extends Received['type']>(type: T, timeoutMs = 5000): Promise<ReceivedOf<T>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const at = this.inbox.findIndex((frame) => frame.type === type);
        if (at < 0) return;
        const [frame] = this.inbox.splice(at, 1);
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(frame as ReceivedOf<T>);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${type} from the client within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Frames received and not taken yet, of this type. */
  pending<T extends Received['type']>(type: T): Array<ReceivedOf<T>> {
    return this.inbox.filter((frame) => frame.type === type) as Array<ReceivedOf<T>>;
  }

  send(message: BrokerToConsole): void {
    this.socket.send(encodeMessage(message));
  }

  sendOutput(channel: number, offset: number, payload: Uint8Array | string): void {
    this.socket.send(encodeDataFrame({ type: 'output', channel, offset, payload: toBytes(payload) }));
  }

  sendRaw(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  /** Waits for the hello and answers with a welcome. */
  async welcome(identity = 'ops'): Promise<void> {
    const hello = await this.take('hello');
    if (hello.role !== 'console') throw new Error(`expected a console hello, got ${hello.role}`);
    this.send({
      type: 'welcome',
      protocol: { ...PROTOCOL_VERSION },
      software: 'fake-broker/0',
      heartbeatMs: 15_000,
      identity,
    });
  }

  /** Kills the TCP connection without a close frame, as a network failure would. */
  drop(): void {
    this.socket.terminate();
  }
}

export class FakeBroker {
  private readonly accepted: FakeConnection[] = [];
  private readonly waiters = new Set<() => void>();
  private taken = 0;

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
  ) {
    server.on('connection', (socket) => {
      this.accepted.push(new FakeConnection(socket));
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  static async start(): Promise<FakeBroker> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    return new FakeBroker(server, `ws://127.0.0.1:${address.port}/ws/console`);
  }

  /** A socket factory for ConsoleLink: `ws`'s client already has the WebSocketLike shape. */
  get factory(): SocketFactory {
    return () => new WebSocket(this.url) as unknown as WebSocketLike;
  }

  get connectionCount(): number {
    return this.accepted.length;
  }

  /** The next connection not yet returned by this method. */
  nextConnection(timeoutMs = 5000): Promise<FakeConnection> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const connection = this.accepted[this.taken];
        if (!connection) return;
        this.taken += 1;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(connection);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no new connection within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    for (const connection of this.accepted) connection.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
