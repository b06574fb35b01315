import { decodeBinaryFrame, type AgentToBroker } from '../../../common/protocol';
import type { Transport } from '../sessionManager';

type Message<T extends AgentToBroker['type']> = Extract<AgentToBroker, { type: T }>;

interface Waiter {
  test(): boolean;
  wake(): void;
}

/**
 * Stands in for the broker link: records every message and output frame
 * the session manager sends, checks that each channel's offsets are
 * contiguous, and lets tests await messages and output.
 */
export class RecordingTransport implements Transport {
  readonly messages: AgentToBroker[] = [];
  /** Output per channel, with the offset of its first byte and any gap seen. */
  private readonly outputs = new Map<number, { start: number; chunks: Buffer[]; bytes: number; gap?: string }>();
  /** Every event in order: `message:<type>` or `output:<channel>`. */
  readonly events: string[] = [];
  private readonly waiters = new Set<Waiter>();

  send(message: AgentToBroker): void {
    this.messages.push(message);
    this.events.push(`message:${message.type}`);
    this.wake();
  }

  sendBinary(frame: Uint8Array): void {
    const decoded = decodeBinaryFrame(frame);
    if (!decoded.ok || decoded.value.type !== 'output') throw new Error('the agent sent a bad output frame');
    const { channel, offset, payload } = decoded.value;
    let out = this.outputs.get(channel);
    if (!out) this.outputs.set(channel, (out = { start: offset, chunks: [], bytes: 0 }));
    if (offset !== out.start + out.bytes) out.gap ??= `offset ${offset}, expected ${out.start + out.bytes}`;
    out.chunks.push(Buffer.from(payload));
    out.bytes += payload.byteLength;
    this.events.push(`output:${channel}`);
    this.wake();
  }

  output(channel: number): Buffer {
    return Buffer.concat(this.outputs.get(channel)?.chunks ?? []);
  }

  /** Output bytes received on a channel, without copying them. */
  outputBytes(channel: number): number {
    return this.outputs.get(channel)?.bytes ?? 0;
  }

  outputStart(channel: number): number | undefined {
    return this.outputs.get(channel)?.start;
  }

  gap(channel: number): string | undefined {
    return this.outputs.get(channel)?.gap;
  }

  /** The first message of `type` (already sent or future) that matches. */
  next<T extends AgentToBroker['type']>(
    type: T,
    match: (message: Message<T>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Message<T>> {
    const find = () => this.messages.find((m): m is Message<T> => m.type === type && match(m as Message<T>));
    return this.until(() => find() !== undefined, `a ${type} message`, timeoutMs).then(() => find()!);
  }

  waitForOutput(channel: number, text: string, timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.output(channel).toString('utf8').includes(text), `"${text}" on ${channel}`, timeoutMs);
  }

  until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${what} within ${timeoutMs} ms; events: ${this.events.slice(-20).join(' ')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      if (!waiter.test()) continue;
      this.waiters.delete(waiter);
      waiter.wake();
    }
  }
}
