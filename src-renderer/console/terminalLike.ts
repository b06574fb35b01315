import type { ITheme } from '@xterm/xterm';
import type { Disposable } from '../../common/disposable';
import type { ChannelStatus, ClosedEvent, ExitEvent, LostEvent } from '../../common/client';

/**
 * What the controller needs from a terminal emulator. The real one wraps
 * xterm (xtermTerminal.ts) and needs a DOM; tests pass a fake, so the flow
 * control and the status logic run in plain Node.
 */
export interface TerminalLike {
  readonly cols: number;
  readonly rows: number;
  /** What draws the grid now (xterm: WebGL, or the DOM after WebGL failed or lost its context). */
  readonly renderer: 'webgl' | 'dom' | 'none';
  /** Queues output; `parsed` runs once the emulator has parsed it (xterm's write callback). */
  write(data: Uint8Array | string, parsed?: () => void): void;
  /** Pastes as the user would: line endings normalized, bracketed when the application enabled it (DECSET 2004). */
  paste(text: string): void;
  /** Keys (and pastes) the user typed, as the application should receive them. */
  onData(listener: (data: string) => void): Disposable;
  /** Non-UTF-8 input (legacy X10 mouse reports): each char is one byte. */
  onBinary(listener: (data: string) => void): Disposable;
  onTitleChange(listener: (title: string) => void): Disposable;
  /** The grid changed size (after a fit). */
  onResize(listener: (size: TerminalSize) => void): Disposable;
  /** The user pasted (keyboard, menu, middle click): the controller decides what to send. */
  onPasteRequest(listener: (text: string) => void): Disposable;
  /** Renders into `parent` and starts fitting the grid to it. */
  open(parent: HTMLElement): void;
  /** Fits the grid to the parent now (a no-op while hidden). */
  fit(): void;
  focus(): void;
  getSelection(): string;
  findNext(term: string): boolean;
  findPrevious(term: string): boolean;
  clearSearch(): void;
  applySettings(settings: TerminalSettings): void;
  dispose(): void;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Per-pane appearance and behaviour; every field optional, defaults in xtermTerminal.ts. */
export interface TerminalSettings {
  /** Lines kept above the screen. Default 10,000 (the figure; ~10 MB at 200 columns). */
  scrollback?: number;
  fontFamily?: string;
  fontSize?: number;
  theme?: ITheme;
  cursorBlink?: boolean;
  /**
   * WebGL renderer (VS Code's terminal.integrated.gpuAcceleration): 'auto'
   * (default) uses it only on a hardware GPU, 'on' always when available,
   * 'off' never. Fixed when the terminal is made.
   */
  gpuAcceleration?: 'auto' | 'on' | 'off';
  /** Opens a link the user Ctrl/Cmd-clicked. Default: http(s) only, in a new window without opener. */
  openLink?: (uri: string) => void;
}

/**
 * The part of common/client's TerminalChannel the controller uses, so tests
 * can pass a fake. TerminalChannel satisfies it as is.
 */
export interface ChannelLike {
  readonly sessionId: string;
  readonly machine: string;
  readonly loginUser: string;
  readonly offset: number;
  readonly status: ChannelStatus;
  write(data: Uint8Array | string): boolean;
  resize(cols: number, rows: number): void;
  consumed(byteCount: number): void;
  close(): void;
  detach(): void;
  onData(listener: (data: Uint8Array) => void): Disposable;
  onExit(listener: (event: ExitEvent) => void): Disposable;
  onStatus(listener: (status: ChannelStatus) => void): Disposable;
  onLost(listener: (event: LostEvent) => void): Disposable;
  onClosed(listener: (event: ClosedEvent) => void): Disposable;
}

/** Where a pane gets its session: usually ConsoleLink.open/attach with the pane's machine filled in. */
export interface SessionSource {
  /** A new session (the first start, and Restart). Rejects with ProtocolRefusal or LinkClosedError. */
  open(size: TerminalSize): Promise<ChannelLike>;
  /** Takes up a kept session from `offset` (Reconnect, and a restored workspace). */
  attach(sessionId: string, offset: number): Promise<ChannelLike>;
}

/** A session to take up instead of opening a new one. */
export interface ResumePoint {
  sessionId: string;
  /** The output offset this pane has shown up to; 0 replays what the agent still holds. */
  offset: number;
}
