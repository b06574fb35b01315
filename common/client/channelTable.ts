import type { ClosedEvent, TerminalChannel } from './terminalChannel';

/** A request waiting for its `opened` (or refusal), by the channel id it was sent on. */
export type PendingRequest =
  | { kind: 'open'; resolve(channel: TerminalChannel): void; reject(error: Error): void }
  | { kind: 'attach'; offset: number; resolve(channel: TerminalChannel): void; reject(error: Error): void }
  | { kind: 'reattach'; channel: TerminalChannel };

/** Released channel ids remembered so late output for them is dropped quietly
 *  rather than reported; a few hundred covers any realistic race. */
const RELEASED_IDS_KEPT = 512;
const MAX_CHANNEL_ID = 0xffff_ffff;

/**
 * A link's channel bookkeeping: which ids are waiting for an answer, which
 * are attached to which channel, which channels are alive (attached or
 * resuming), and which ids were released recently. Ids count up and are not
 * reused until they wrap at 2^32, so late frames never hit a newer channel.
 */
export class ChannelTable {
  private nextId = 1;
  readonly requests = new Map<number, PendingRequest>();
  readonly attached = new Map<number, TerminalChannel>();
  readonly live = new Set<TerminalChannel>();
  private readonly released: number[] = [];

  allocate(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = id >= MAX_CHANNEL_ID ? 1 : id + 1;
      if (!this.attached.has(id) && !this.requests.has(id)) return id;
    }
  }

  /** Removes and returns the request sent on `id`. */
  takeRequest(id: number): PendingRequest | undefined {
    const request = this.requests.get(id);
    this.requests.delete(id);
    return request;
  }

  attach(id: number, channel: TerminalChannel): void {
    this.attached.set(id, channel);
    this.live.add(channel);
  }

  /** Removes and returns the channel attached under `id`, remembering the id as released. */
  detach(id: number): TerminalChannel | undefined {
    const channel = this.attached.get(id);
    if (!channel) return undefined;
    this.attached.delete(id);
    this.release(id);
    return channel;
  }

  /** The channel ended or detached: forget it and any id it holds. */
  forget(channel: TerminalChannel): void {
    this.live.delete(channel);
    for (const [id, attached] of this.attached) if (attached === channel) this.detach(id);
  }

  release(id: number): void {
    this.released.push(id);
    if (this.released.length > RELEASED_IDS_KEPT) this.released.shift();
  }

  wasReleased(id: number): boolean {
    return this.released.includes(id);
  }

  /** The socket dropped: waiting opens and attaches fail, every channel starts resuming. */
  linkDown(error: Error): void {
    for (const request of this.requests.values()) {
      if (request.kind === 'reattach') request.channel.linkDown();
      else request.reject(error);
    }
    this.requests.clear();
    for (const channel of this.attached.values()) channel.linkDown();
    this.attached.clear();
  }

  /** The link closed for good: everything waiting fails and every channel ends with `closed`. */
  linkClosed(error: Error, closed: ClosedEvent): void {
    for (const request of this.requests.values()) if (request.kind !== 'reattach') request.reject(error);
    this.requests.clear();
    this.attached.clear();
    for (const channel of [...this.live]) channel.linkClosed(closed);
    this.live.clear();
  }
}
