import { LinkClosedError, systemTimers, type Timers } from '../../common/client';
import { Emitter, type Listener } from '../../common/client/emitter';
import { DisposableStore, toDisposable, type Disposable } from '../../common/disposable';
import { OutputFlow } from './outputFlow';
import { sanitizePaste } from './sanitizePaste';
import type {
  ChannelLike,
  ResumePoint,
  SessionSource,
  TerminalLike,
  TerminalSettings,
  TerminalSize,
} from './terminalLike';
import type { PaneStatus } from './terminalStatus';
import { XtermTerminal } from './xtermTerminal';

/**
 * The PTY is resized this long after the last grid change: dragging a split
 * fits the grid every frame, and each resize makes the shell redraw. VS Code
 * debounces its PTY resize similarly (100 ms in ResizeDebouncer).
 */
export const RESIZE_DEBOUNCE_MS = 100;

/** Codes after which the old session cannot be taken up again: Reconnect opens a new one. */
const SESSION_GONE = new Set(['SESSION_NOT_FOUND', 'RESUME_EXPIRED', 'SESSION_NOT_YOURS']);

/**
 * Leaves what the last program may have left on (alternate screen, mouse
 * reporting, bracketed paste, odd modes via DECSTR) before a new shell starts
 * in the same terminal. The scrollback stays.
 */
const MODE_RESET = '\x1b[?1049l\x1b[?9l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[!p\x1b[0m\r\n';

export interface TerminalControllerOptions {
  /** Opens and takes up sessions for this pane's machine. */
  source: SessionSource;
  /** Take up this session instead of opening one (a restored workspace). */
  resume?: ResumePoint;
  settings?: TerminalSettings;
  /** When the next re-attach attempt is due (Date.now() clock), if the owner knows; shown as "reconnecting in N s". */
  retryAt?: () => number | undefined;
  /**
   * Offered every key and paste first (broadcast input): true when it took
   * the input, which then does not go to this pane's session by itself.
   */
  routeInput?: (data: string | Uint8Array) => boolean;
  /** Asked before a paste is sent (a multi-line paste into several sessions); false drops it. */
  confirmPaste?: (text: string) => boolean | Promise<boolean>;
  /** Tests pass a fake; default: xterm with its addons. */
  createTerminal?: (settings: TerminalSettings) => TerminalLike;
  timers?: Timers;
}

/** Who is on the other end, once a session is bound (for the workspace and the tab title). */
export interface SessionInfo {
  sessionId: string;
  machine: string;
  loginUser: string;
}

/**
 * Owns one terminal (xterm) and the session (TerminalChannel) shown in it,
 * outside React. Output goes into the terminal and is acknowledged only once
 * parsed (OutputFlow); keys and pastes go to the session; grid changes
 * resize the PTY. Reports status and title through small events.
 *
 * dispose() detaches the session (it stays on its machine for the resume
 * grace period, so a pane moved to another split can take it up again);
 * call closeSession() first to end the shell.
 */
export class TerminalController implements Disposable {
  private readonly terminal: TerminalLike;
  private readonly timers: Timers;
  private readonly subscriptions = new DisposableStore();
  private channelSubscriptions: DisposableStore | undefined;
  private channel: ChannelLike | undefined;
  private flow: OutputFlow | undefined;
  /** The last session bound, kept after it ends so Reconnect can take it up. */
  private lastSession: { sessionId: string; channel: ChannelLike } | undefined;
  private currentStatus: PaneStatus = { kind: 'connecting' };
  private currentTitle = '';
  private connectAttempt = 0;
  private started = false;
  private disposed = false;
  private resizeTimer: unknown;
  private readonly statusEmitter = new Emitter<PaneStatus>();
  private readonly titleEmitter = new Emitter<string>();
  private readonly sessionEmitter = new Emitter<SessionInfo>();

  constructor(private readonly options: TerminalControllerOptions) {
    this.timers = options.timers ?? systemTimers;
    const settings = options.settings ?? {};
    this.terminal = options.createTerminal ? options.createTerminal(settings) : new XtermTerminal(settings);
    this.subscriptions.add(this.terminal.onData((data) => this.sendInput(data)));
    this.subscriptions.add(this.terminal.onBinary((data) => this.sendInput(binaryStringToBytes(data))));
    this.subscriptions.add(this.terminal.onPasteRequest((text) => this.paste(text)));
    this.subscriptions.add(this.terminal.onTitleChange((title) => this.setTitle(title)));
    this.subscriptions.add(this.terminal.onResize(() => this.scheduleResize()));
    this.subscriptions.add(toDisposable(() => this.timers.clearTimeout(this.resizeTimer)));
  }

  /** The pane's status now. While reconnecting, `retryAt` is read afresh. */
  get status(): PaneStatus {
    if (this.currentStatus.kind === 'reconnecting' && this.options.retryAt) {
      const retryAt = this.options.retryAt();
      return retryAt === undefined ? { kind: 'reconnecting' } : { kind: 'reconnecting', retryAt };
    }
    return this.currentStatus;
  }

  get title(): string {
    return this.currentTitle;
  }

  /** Where to take the session up again (the workspace stores it). */
  get resumePoint(): ResumePoint | undefined {
    if (!this.lastSession) return undefined;
    return { sessionId: this.lastSession.sessionId, offset: this.lastSession.channel.offset };
  }

  /** Output handed to the terminal and not parsed yet (bounded by the flow control). */
  /** The session shown while it can take input (broadcast sends to it together with others). */
  get boundChannel(): ChannelLike | undefined {
    const channel = this.channel;
    return channel && channel.status !== 'ended' ? channel : undefined;
  }

  get unparsedBytes(): number {
    return this.flow?.unparsed ?? 0;
  }

  /** For diagnostics and tests: which renderer xterm ended up with. */
  get renderer(): TerminalLike['renderer'] {
    return this.terminal.renderer;
  }

  get size(): TerminalSize {
    return { cols: this.terminal.cols, rows: this.terminal.rows };
  }

  onStatus(listener: Listener<PaneStatus>): Disposable {
    return this.statusEmitter.event(listener);
  }

  onTitle(listener: Listener<string>): Disposable {
    return this.titleEmitter.event(listener);
  }

  onSession(listener: Listener<SessionInfo>): Disposable {
    return this.sessionEmitter.event(listener);
  }

  /** Renders into `parent`, fits, and starts the session (once). */
  mount(parent: HTMLElement): void {
    if (this.disposed) return;
    this.terminal.open(parent);
    this.terminal.fit();
    this.start();
  }

  /** Opens (or takes up) the session at the terminal's current size. mount() calls it. */
  start(): void {
    if (this.disposed || this.started) return;
    this.started = true;
    const resume = this.options.resume;
    if (resume) this.connect(() => this.options.source.attach(resume.sessionId, resume.offset), 'attach');
    else this.connect(() => this.options.source.open(this.size), 'open');
  }

  /** After a disconnect: takes the session up again where it still exists, else opens a new one. */
  reconnect(): void {
    if (this.disposed) return;
    this.started = true;
    const last = this.lastSession;
    const status = this.currentStatus;
    if (status.kind === 'connecting' || status.kind === 'connected' || status.kind === 'reconnecting') return;
    const gone = status.kind === 'exited' || (status.kind === 'disconnected' && SESSION_GONE.has(status.code));
    if (last && !gone) this.connect(() => this.options.source.attach(last.sessionId, last.channel.offset), 'attach');
    else this.restart();
  }

  /** A new session on the same machine in this terminal (after an exit, or to start over). */
  restart(): void {
    if (this.disposed) return;
    this.started = true;
    if (this.channel && this.channel.status !== 'ended') this.channel.close();
    this.unbind();
    this.terminal.write(MODE_RESET);
    this.connect(() => this.options.source.open(this.size), 'open');
  }

  /** Ends the shell (the agent ends its process group); the status turns to exited. */
  closeSession(): void {
    this.channel?.close();
  }

  /**
   * Sends text as a paste: control sequences that could end a bracketed
   * paste early are removed first, and the owner may ask for a confirmation.
   */
  paste(text: string): void {
    if (this.disposed) return;
    const clean = sanitizePaste(text);
    if (clean === '') return;
    const confirm = this.options.confirmPaste;
    if (!confirm) return this.terminal.paste(clean);
    void Promise.resolve(confirm(clean)).then(
      (confirmed) => {
        if (confirmed && !this.disposed) this.terminal.paste(clean);
      },
      () => {},
    );
  }

  focus(): void {
    this.terminal.focus();
  }

  fit(): void {
    this.terminal.fit();
  }

  getSelection(): string {
    return this.terminal.getSelection();
  }

  findNext(term: string): boolean {
    return this.terminal.findNext(term);
  }

  findPrevious(term: string): boolean {
    return this.terminal.findPrevious(term);
  }

  clearSearch(): void {
    this.terminal.clearSearch();
  }

  updateSettings(settings: TerminalSettings): void {
    if (!this.disposed) this.terminal.applySettings(settings);
  }

  /** Idempotent. Detaches the session (see the class comment), disposes the terminal and every listener. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.connectAttempt += 1;
    const channel = this.channel;
    this.unbind();
    if (channel && channel.status !== 'ended') channel.detach();
    this.subscriptions.dispose();
    this.statusEmitter.dispose();
    this.titleEmitter.dispose();
    this.sessionEmitter.dispose();
    this.terminal.dispose();
  }

  // ------------------------------------------------------------ session

  private connect(request: () => Promise<ChannelLike>, kind: 'open' | 'attach'): void {
    this.unbind();
    const attempt = ++this.connectAttempt;
    this.setStatus({ kind: 'connecting' });
    let pending: Promise<ChannelLike>;
    try {
      pending = request();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (channel) => {
        if (attempt === this.connectAttempt) return this.bind(channel);
        // Nobody waits for it any more (disposed, or another attempt began).
        // A fresh session nobody saw is ended; a taken-up one is left for later.
        if (kind === 'open') channel.close();
        else channel.detach();
      },
      (error: unknown) => {
        if (attempt !== this.connectAttempt) return;
        this.setStatus({ kind: 'disconnected', ...describeError(error) });
      },
    );
  }

  private bind(channel: ChannelLike): void {
    this.channel = channel;
    this.lastSession = { sessionId: channel.sessionId, channel };
    const subscriptions = new DisposableStore();
    this.channelSubscriptions = subscriptions;
    const flow = new OutputFlow(
      { write: (data, parsed) => this.terminal.write(data, parsed) },
      (count) => channel.consumed(count),
      this.timers,
      (count) => this.notice(`${formatBytes(count)} of output dropped: the terminal fell too far behind`),
    );
    this.flow = flow;
    subscriptions.add(flow);
    // All in one synchronous block: the channel holds its events until the first listener, then delivers them all.
    subscriptions.add(channel.onData((data) => flow.push(data)));
    subscriptions.add(channel.onLost(({ from, to }) => this.notice(`${formatBytes(to - from)} of output lost`)));
    subscriptions.add(
      channel.onExit((event) => {
        const status: PaneStatus = { kind: 'exited', code: event.code, signal: event.signal };
        if (event.reason) status.reason = event.reason.message;
        this.setStatus(status);
      }),
    );
    subscriptions.add(
      channel.onClosed(({ code, message }) => this.setStatus({ kind: 'disconnected', code, reason: message })),
    );
    subscriptions.add(channel.onStatus((status) => this.channelStatus(status)));
    this.channelStatus(channel.status);
    // Another console may have left the PTY at another size.
    channel.resize(this.terminal.cols, this.terminal.rows);
    this.sessionEmitter.fire({ sessionId: channel.sessionId, machine: channel.machine, loginUser: channel.loginUser });
  }

  private unbind(): void {
    // Report what was parsed while we still can: the next attach starts from the channel's offset anyway.
    this.flow?.flush();
    this.channelSubscriptions?.dispose();
    this.channelSubscriptions = undefined;
    this.flow = undefined;
    this.channel = undefined;
  }

  private channelStatus(status: ChannelLike['status']): void {
    if (status === 'open') this.setStatus({ kind: 'connected' });
    else if (status === 'resuming') this.setStatus({ kind: 'reconnecting' });
    // Ended after an exit or a close: those set the status already. Otherwise it was detached.
    else if (this.currentStatus.kind === 'connected' || this.currentStatus.kind === 'reconnecting') {
      this.setStatus({ kind: 'disconnected', code: 'DETACHED', reason: 'the session was detached from this pane' });
    }
  }

  private sendInput(data: string | Uint8Array): void {
    if (this.options.routeInput?.(data)) return;
    const channel = this.channel;
    // No session (connecting, disconnected, exited): keys go nowhere, as in any terminal app.
    if (channel && channel.status !== 'ended') channel.write(data);
  }

  private scheduleResize(): void {
    this.timers.clearTimeout(this.resizeTimer);
    this.resizeTimer = this.timers.setTimeout(() => {
      this.resizeTimer = undefined;
      this.channel?.resize(this.terminal.cols, this.terminal.rows);
    }, RESIZE_DEBOUNCE_MS);
  }

  private setStatus(status: PaneStatus): void {
    if (this.disposed) return;
    this.currentStatus = status;
    this.statusEmitter.fire(this.status);
  }

  private setTitle(title: string): void {
    if (title === this.currentTitle) return;
    this.currentTitle = title;
    this.titleEmitter.fire(title);
  }

  /** A line of our own between outputs, dimmed, so it is not mistaken for the program's. */
  private notice(text: string): void {
    this.terminal.write(`\r\n\x1b[0;2m[fleetterm: ${text}]\x1b[0m\r\n`);
  }
}

function describeError(error: unknown): { code: string; reason: string } {
  if (error instanceof LinkClosedError) {
    return { code: error.authFailed ? 'UNAUTHORIZED' : 'LINK_CLOSED', reason: error.reason || error.message };
  }
  // ProtocolRefusal, and the owner's own coded errors (minting a terminal token, say).
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'ERROR', reason: error.message || error.name };
  }
  return { code: 'ERROR', reason: String(error) };
}

function formatBytes(count: number): string {
  if (count < 1024) return `${count} bytes`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KiB`;
  return `${(count / (1024 * 1024)).toFixed(1)} MiB`;
}

/** xterm's onBinary: one char per byte (legacy mouse reports above 127). */
function binaryStringToBytes(data: string): Uint8Array {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}
