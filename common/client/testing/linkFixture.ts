/** Shared set-up for the client's tests: a fake broker and links to it. Test support only. */
import { ConsoleLink, type ConsoleLinkOptions } from '../consoleLink';
import type { TerminalChannel } from '../terminalChannel';
import { FakeBroker, type FakeConnection } from './fakeBroker';

/** Short delays so reconnect tests finish in milliseconds. */
export const FAST_BACKOFF = { baseMs: 10, capMs: 40 };

export class LinkFixture {
  private readonly links: ConsoleLink[] = [];

  private constructor(readonly broker: FakeBroker) {}

  static async start(): Promise<LinkFixture> {
    return new LinkFixture(await FakeBroker.start());
  }

  link(options: Partial<ConsoleLinkOptions> = {}): ConsoleLink {
    const link = new ConsoleLink({
      socketFactory: this.broker.factory,
      software: 'fleetterm-test/0',
      backoff: FAST_BACKOFF,
      ...options,
    });
    this.links.push(link);
    return link;
  }

  /** A link whose hello was answered. */
  async connected(options: Partial<ConsoleLinkOptions> = {}): Promise<{ link: ConsoleLink; conn: FakeConnection }> {
    const link = this.link(options);
    const conn = await this.broker.nextConnection();
    await conn.welcome();
    await link.ready();
    return { link, conn };
  }

  async dispose(): Promise<void> {
    for (const link of this.links) link.dispose();
    await this.broker.close();
  }
}

/** Opens a shell through the fake broker, answering as the broker would. */
export async function openChannel(
  link: ConsoleLink,
  conn: FakeConnection,
  sessionId = 'session-0001',
  machine = 'web-1',
): Promise<{ channel: TerminalChannel; id: number }> {
  const opening = link.open({ machine, cols: 80, rows: 24 });
  const open = await conn.take('open');
  conn.send({ type: 'opened', channel: open.channel, sessionId, machine, loginUser: 'root', offset: 0 });
  return { channel: await opening, id: open.channel };
}

/** Collects a channel's output and events, and resolves when it ends. */
export function record(channel: TerminalChannel) {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  const ended = new Promise<void>((resolve) => channel.onStatus((status) => status === 'ended' && resolve()));
  channel.onData((bytes) => chunks.push(bytes.slice()));
  channel.onStatus((status) => events.push(`status:${status}`));
  channel.onExit((exit) => events.push(`exit:${exit.code ?? exit.signal}`));
  channel.onLost((lost) => events.push(`lost:${lost.from}-${lost.to}`));
  channel.onClosed((closed) => events.push(`closed:${closed.code}`));
  return {
    chunks,
    events,
    ended,
    get bytes(): Buffer {
      return Buffer.concat(chunks);
    },
    get text(): string {
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Resolves when `predicate` holds, checking on every macrotask (no fixed sleeps). */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Deterministic bytes that look random (xorshift32), so a failure can be reproduced. */
export function noise(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
