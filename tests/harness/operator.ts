import { ConsoleLink, type TerminalChannel } from '../../common/client';
import { createNodeSocketFactory } from '../../cli/src/nodeSocketFactory';

/** An operator's console link to a broker, through the same code the CLI uses. */
export async function connectConsole(url: string, token: string): Promise<ConsoleLink> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/ws/console`;
  const link = new ConsoleLink({
    socketFactory: createNodeSocketFactory({ url: wsUrl, token }),
    software: 'fleetterm-tests/0',
    backoff: { baseMs: 50, capMs: 500 },
  });
  await link.ready();
  return link;
}

/**
 * Everything a channel printed, consumed at once (so flow control never
 * stalls), and its exit. `text` is the output as UTF-8.
 */
export class Transcript {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private readonly listeners = new Set<() => void>();
  readonly exit: Promise<{ code: number | null; signal: string | null; reason?: { code: string } }>;
  readonly lost: Array<{ from: number; to: number }> = [];

  constructor(readonly channel: TerminalChannel) {
    channel.onData((bytes) => {
      this.chunks.push(Buffer.from(bytes));
      this.length += bytes.byteLength;
      channel.consumed(bytes.byteLength);
      for (const listener of [...this.listeners]) listener();
    });
    channel.onLost((lost) => this.lost.push(lost));
    this.exit = new Promise((resolve, reject) => {
      channel.onExit(resolve);
      channel.onClosed((closed) => reject(new Error(`channel closed without exit: ${closed.code} ${closed.message}`)));
    });
    // Channels still open when a test disposes its link end this way; only a test that awaits `exit` cares.
    this.exit.catch(() => undefined);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  /** Resolves once the output matches. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.text.match(pattern);
        if (!match) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; got:\n${this.text.slice(-1000)}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }
}

/** Opens an exec session and resolves with its whole transcript once it exits. */
export async function execOn(link: ConsoleLink, machine: string, command: string): Promise<Transcript> {
  const channel = await link.open({ machine, mode: 'exec', command, cols: 120, rows: 40 });
  const transcript = new Transcript(channel);
  await transcript.exit;
  return transcript;
}
