import WebSocket from 'ws';

export interface Refusal {
  status: number;
  body: { error?: { code?: string; message?: string } };
}

type Json = Record<string, unknown> & { type: string };

interface Waiter<T> {
  match: (item: T) => boolean;
  resolve: (item: T) => void;
}

const WAIT_MS = 5_000;

/**
 * A raw WebSocket peer for tests: speaks frames, not a client library, and
 * queues what it receives so a test can await "the next message of type X".
 */
export class WsPeer {
  private readonly texts: Json[] = [];
  private readonly binaries: Buffer[] = [];
  private readonly textWaiters: Array<Waiter<Json>> = [];
  private readonly binaryWaiters: Array<Waiter<Buffer>> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.deliver(this.binaries, this.binaryWaiters, Buffer.from(data));
      else this.deliver(this.texts, this.textWaiters, JSON.parse(data.toString('utf8')) as Json);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
  }

  /**
   * Opens a link; rejects with a Refusal when the upgrade is answered with an
   * HTTP error. A console link sends the broker's own origin, as the real
   * clients do, unless `options.origin` says otherwise (`''`: none).
   */
  static connect(url: string, token?: string, options: WebSocket.ClientOptions = {}): Promise<WsPeer> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const origin = target.pathname === '/ws/console' ? target.origin.replace(/^ws/, 'http') : undefined;
      const ws = new WebSocket(url, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        perMessageDeflate: false,
        origin,
        ...options,
      });
      ws.once('open', () => resolve(new WsPeer(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => reject({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') } satisfies Refusal));
      });
      ws.once('error', reject);
    });
  }

  /** The HTTP refusal an upgrade gets (fails the test if a WebSocket opens instead). */
  static async refusal(url: string, token?: string, options: WebSocket.ClientOptions = {}): Promise<Refusal> {
    try {
      const peer = await WsPeer.connect(url, token, options);
      peer.ws.terminate();
    } catch (error) {
      return error as Refusal;
    }
    throw new Error(`expected ${url} to refuse the upgrade`);
  }

  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  /** The next text message of this type (others stay queued). */
  next<T extends Json = Json>(type: string, match: (message: T) => boolean = () => true): Promise<T> {
    return this.take(
      this.texts,
      this.textWaiters,
      (m) => m.type === type && match(m as T),
      `a ${type} message`,
    ) as Promise<T>;
  }

  nextBinary(): Promise<Buffer> {
    return this.take(this.binaries, this.binaryWaiters, () => true, 'a binary frame');
  }

  /** Text messages received and not yet taken. */
  pending(): Json[] {
    return [...this.texts];
  }

  close(): void {
    this.ws.terminate();
  }

  private deliver<T>(queue: T[], waiters: Array<Waiter<T>>, item: T): void {
    const index = waiters.findIndex((w) => w.match(item));
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(item);
    else queue.push(item);
  }

  private take<T>(queue: T[], waiters: Array<Waiter<T>>, match: (item: T) => boolean, what: string): Promise<T> {
    const index = queue.findIndex(match);
    if (index >= 0) return Promise.resolve(queue.splice(index, 1)[0] as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; queued: ${JSON.stringify(this.texts)}`));
      }, WAIT_MS);
      const waiter: Waiter<T> = {
        match,
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      waiters.push(waiter);
    });
  }
}
