/** Stand-ins for xterm, a TerminalChannel and timers, for the controller's tests. Test support only. */
import type { ChannelStatus, ClosedEvent, ExitEvent, LostEvent, Timers } from '../../../common/client';
import { Emitter } from '../../../common/client/emitter';
import type { ChannelLike, SessionSource, TerminalLike, TerminalSettings, TerminalSize } from '../terminalLike';

/** Timers that run only when the test advances the clock. */
export class ManualTimers implements Timers {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  now(): number {
    return this.time;
  }

  get count(): number {
    return this.pending.size;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = until;
  }
}

/**
 * xterm without a DOM: output queues until the test calls parse(), which
 * runs write callbacks in order as xterm's WriteBuffer does.
 */
export class FakeTerminal implements TerminalLike {
  cols = 80;
  rows = 24;
  readonly renderer = 'none';
  bracketedPasteMode = false;
  /** Everything written, in order (channel output and the controller's own notices). */
  readonly written: Array<Uint8Array | string> = [];
  readonly pastes: string[] = [];
  readonly settings: TerminalSettings[] = [];
  private queue: Array<{ length: number; parsed: (() => void) | undefined }> = [];
  opened = false;
  disposed = false;
  readonly data = new Emitter<string>();
  readonly binary = new Emitter<string>();
  readonly title = new Emitter<string>();
  readonly resized = new Emitter<TerminalSize>();
  readonly pasteRequests = new Emitter<string>();

  constructor(settings: TerminalSettings = {}) {
    this.settings.push(settings);
  }

  /** Bytes written and not parsed yet. */
  get queued(): number {
    return this.queue.reduce((sum, item) => sum + item.length, 0);
  }

  get text(): string {
    const decoder = new TextDecoder();
    return this.written.map((item) => (typeof item === 'string' ? item : decoder.decode(item))).join('');
  }

  write(data: Uint8Array | string, parsed?: () => void): void {
    if (this.disposed) throw new Error('write after dispose');
    this.written.push(data);
    this.queue.push({ length: typeof data === 'string' ? data.length : data.byteLength, parsed });
  }

  /** Parses the next `count` writes (all by default), running their callbacks. */
  parse(count = Infinity): void {
    while (count-- > 0 && this.queue.length > 0) this.queue.shift()!.parsed?.();
  }

  paste(text: string): void {
    this.pastes.push(text);
    const normalized = text.replace(/\r?\n/g, '\r');
    this.data.fire(this.bracketedPasteMode ? `\x1b[200~${normalized}\x1b[201~` : normalized);
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.resized.fire({ cols, rows });
  }

  onData = this.data.event;
  onBinary = this.binary.event;
  onTitleChange = this.title.event;
  onResize = this.resized.event;
  onPasteRequest = this.pasteRequests.event;

  open(): void {
    this.opened = true;
  }
  fit(): void {}
  focus(): void {}
  getSelection(): string {
    return '';
  }
  findNext(): boolean {
    return false;
  }
  findPrevious(): boolean {
    return false;
  }
  clearSearch(): void {}
  applySettings(settings: TerminalSettings): void {
    this.settings.push(settings);
  }
  dispose(): void {
    this.disposed = true;
    this.queue = [];
  }
}

/** A session as TerminalChannel presents it; the test drives its events. */
export class FakeChannel implements ChannelLike {
  status: ChannelStatus = 'open';
  offset = 0;
  readonly consumedCalls: number[] = [];
  readonly input: Array<Uint8Array | string> = [];
  readonly resizes: TerminalSize[] = [];
  closed = false;
  detached = false;
  private readonly emitters = {
    data: new Emitter<Uint8Array>(),
    exit: new Emitter<ExitEvent>(),
    status: new Emitter<ChannelStatus>(),
    lost: new Emitter<LostEvent>(),
    closed: new Emitter<ClosedEvent>(),
  };

  constructor(
    readonly sessionId = 'session-1',
    readonly machine = 'web-1',
    readonly loginUser = 'root',
  ) {}

  get consumedTotal(): number {
    return this.consumedCalls.reduce((a, b) => a + b, 0);
  }

  /** Listeners still subscribed, across all events. */
  get listenerCount(): number {
    return Object.values(this.emitters).reduce((sum, emitter) => sum + emitter.size, 0);
  }

  output(bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    this.offset += data.byteLength;
    this.emitters.data.fire(data);
  }

  setStatus(status: ChannelStatus): void {
    this.status = status;
    this.emitters.status.fire(status);
  }

  exit(event: ExitEvent): void {
    this.emitters.exit.fire(event);
    this.setStatus('ended');
  }

  closeWith(event: ClosedEvent): void {
    this.emitters.closed.fire(event);
    this.setStatus('ended');
  }

  lose(event: LostEvent): void {
    this.emitters.lost.fire(event);
  }

  write(data: Uint8Array | string): boolean {
    this.input.push(typeof data === 'string' ? data : data.slice());
    return true;
  }
  resize(cols: number, rows: number): void {
    this.resizes.push({ cols, rows });
  }
  consumed(byteCount: number): void {
    this.consumedCalls.push(byteCount);
  }
  close(): void {
    this.closed = true;
  }
  detach(): void {
    this.detached = true;
    this.status = 'ended';
  }

  onData = this.emitters.data.event;
  onExit = this.emitters.exit.event;
  onStatus = this.emitters.status.event;
  onLost = this.emitters.lost.event;
  onClosed = this.emitters.closed.event;
}

/** A source whose open/attach answers the test controls. */
export class FakeSource implements SessionSource {
  readonly calls: Array<{ kind: 'open'; size: TerminalSize } | { kind: 'attach'; sessionId: string; offset: number }> =
    [];
  private answers: Array<{ resolve(channel: ChannelLike): void; reject(error: unknown): void }> = [];

  open(size: TerminalSize): Promise<ChannelLike> {
    this.calls.push({ kind: 'open', size });
    return new Promise((resolve, reject) => this.answers.push({ resolve, reject }));
  }

  attach(sessionId: string, offset: number): Promise<ChannelLike> {
    this.calls.push({ kind: 'attach', sessionId, offset });
    return new Promise((resolve, reject) => this.answers.push({ resolve, reject }));
  }

  /** Answers the oldest unanswered request. */
  async answer(channel: ChannelLike): Promise<void> {
    this.answers.shift()!.resolve(channel);
    await settle();
  }

  async refuse(error: unknown): Promise<void> {
    this.answers.shift()!.reject(error);
    await settle();
  }
}

/** Lets promise callbacks (and the channel's held events) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
