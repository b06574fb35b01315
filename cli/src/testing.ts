/** Test support for the CLI's tests: captured streams, a broker client on the fake broker. Nothing else imports it. */
import { EventEmitter } from 'node:events';
import { toDisposable } from '../../common/disposable';
import { FakeBroker, type FakeConnection } from '../../common/client/testing/fakeBroker';
import { FAST_BACKOFF } from '../../common/client/testing/linkFixture';
import type { ConsoleOpen } from '../../common/protocol';
import { createBrokerClient, type BrokerClient } from './brokerClient';
import type { OutputStream, SignalName, SignalSource } from './io';
import type { MachineInfo } from './machines';

export { FakeBroker, type FakeConnection };

export class Capture implements OutputStream {
  private readonly parts: Buffer[] = [];

  constructor(
    readonly isTTY = false,
    public columns?: number,
    public rows?: number,
  ) {}

  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean {
    this.parts.push(Buffer.from(chunk));
    if (callback) setImmediate(() => callback());
    return true;
  }

  get text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

/** A broker client whose machine list is given and whose console links go to the fake broker. */
export function fakeClient(broker: FakeBroker, machines: MachineInfo[]): BrokerClient {
  const settings = { httpBase: 'http://127.0.0.1:9', wsUrl: broker.url, token: 'ftk_test' };
  const client = createBrokerClient(settings, { link: { backoff: FAST_BACKOFF } });
  return { ...client, listMachines: async () => ({ machines, document: { machines } }) };
}

export function machine(name: string, labels: Record<string, string> = {}, online = true): MachineInfo {
  return { name, labels, online, os: 'linux', arch: 'x64', sessions: 0, lastSeen: null };
}

/** Welcomes the next connection and hands every `open` on it to `answer`, until it closes. */
export async function serveOpens(
  broker: FakeBroker,
  answer: (open: ConsoleOpen, conn: FakeConnection) => void,
): Promise<FakeConnection> {
  const conn = await broker.nextConnection();
  await conn.welcome();
  let open = true;
  void conn.closed.then(() => (open = false));
  void (async () => {
    while (open) {
      const request = await Promise.race([conn.take('open', 60_000), conn.closed.then(() => undefined)]).catch(
        () => undefined,
      );
      if (request) answer(request, conn);
    }
  })();
  return conn;
}

/** Answers an open as an agent running a command that prints `output` and exits with `code`. */
export function runCommand(conn: FakeConnection, open: ConsoleOpen, output: string, code: number): void {
  const sessionId = `session-${open.machine}`;
  conn.send({ type: 'opened', channel: open.channel, sessionId, machine: open.machine, loginUser: 'root', offset: 0 });
  const bytes = Buffer.from(output);
  if (bytes.byteLength > 0) conn.sendOutput(open.channel, 0, bytes);
  conn.send({ type: 'exit', channel: open.channel, code, signal: null, offset: bytes.byteLength });
}

/** stdin as a test drives it: typed chunks, end of a pipe, raw mode recorded. */
export class FakeStdin extends EventEmitter {
  isRaw = false;
  readonly rawModes: boolean[] = [];

  /** Resolves once the command reads stdin. */
  readonly reading: Promise<void>;

  constructor(readonly isTTY: boolean) {
    super();
    this.reading = new Promise((resolve) => this.on('newListener', (event) => event === 'data' && resolve()));
  }

  setRawMode(mode: boolean): void {
    this.isRaw = mode;
    this.rawModes.push(mode);
  }

  pause(): void {}
  resume(): void {}

  type(text: string): void {
    this.emit('data', Buffer.from(text));
  }
}

/** stdout as a terminal of a given size that the test can resize. */
export class FakeTerminal extends EventEmitter {
  readonly capture: Capture;

  constructor(
    readonly isTTY: boolean,
    public columns = 80,
    public rows = 24,
  ) {
    super();
    this.capture = new Capture(isTTY, columns, rows);
  }

  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean {
    return this.capture.write(chunk, callback);
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }

  get text(): string {
    return this.capture.text;
  }
}

/** Signals a test raises by hand. */
export class FakeSignals {
  private readonly listeners = new Set<(signal: SignalName) => void>();
  private subscribe: () => void = () => undefined;
  /** Resolves once the command listens for signals. */
  readonly listening = new Promise<void>((resolve) => (this.subscribe = resolve));

  readonly source: SignalSource = (listener) => {
    this.listeners.add(listener);
    this.subscribe();
    return toDisposable(() => this.listeners.delete(listener));
  };

  raise(signal: SignalName): void {
    for (const listener of [...this.listeners]) listener(signal);
  }

  get count(): number {
    return this.listeners.size;
  }
}
