import { constants } from 'node:os';
import * as pty from 'node-pty';
import type { ErrorCode } from '../../common/protocol';
import { err, ok, type Result } from '../../common/result';
import { FlowControl } from './flowControl';
import type { LoginUser } from './loginUser';
import { OutputCoalescer } from './outputCoalescer';
import { endProcessGroup } from './processGroup';
import { watchPtyDrain } from './ptyDrain';
import { holdPtySlave } from './ptySessionHangup';
import { writePtyInput } from './ptyInput';
import { StreamTail } from '../../common/streamTail';

export interface PtySessionOptions {
  sessionId: string;
  operator: string;
  user: LoginUser;
  /** Start the process as `user` (the agent runs as root and `user` is someone else). */
  switchUser: boolean;
  /** The shell to run: `<shell> -l` for `shell`, `<shell> -c <command>` for `exec`. */
  shell: string;
  mode: 'shell' | 'exec';
  command?: string;
  cols: number;
  rows: number;
  /** The working directory (the login user's home, or `/` when it has none). */
  cwd: string;
  env: Record<string, string>;
  replayBufferBytes: number;
  /** Flow-control watermarks; the protocol's unless a test needs a small window. */
  flowHighWatermark?: number;
  flowLowWatermark?: number;
}

export interface EndReason {
  code: ErrorCode;
  message: string;
}

/** How a session ended; `offset` is its total output. */
export interface SessionEnd {
  code: number | null;
  signal: string | null;
  reason?: EndReason;
  offset: number;
}

/** Where output goes while a console is attached: `offset` is the chunk's first byte. */
export type OutputSink = (offset: number, chunk: Uint8Array) => void;

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/**
 * Spawns with the login user's supplementary groups. node-pty's fork calls
 * only setgid and setuid, so the child would keep the agent's (root's)
 * supplementary groups; the forked child inherits the parent's list at
 * fork time, and node-pty forks synchronously inside spawn(), so setting the
 * list around the call gives the child exactly the user's groups. Root is
 * not limited by its group list, so the agent loses nothing meanwhile.
 */
function spawnWithUserGroups(options: PtySessionOptions, spawn: () => pty.IPty): pty.IPty {
  // initgroups exists on POSIX since Node 0.9, but @types/node 20 does not declare it.
  const posix = process as NodeJS.Process & { initgroups?: (user: string, extraGroup: number) => void };
  if (!options.switchUser || !posix.initgroups || !posix.getgroups || !posix.setgroups) return spawn();
  const saved = posix.getgroups();
  posix.initgroups(options.user.name, options.user.gid);
  try {
    return spawn();
  } finally {
    posix.setgroups(saved);
  }
}

/**
 * One process in a pseudo-terminal and everything kept for it: output
 * offsets, the replay buffer, coalescing, flow control and the drain before
 * exit. Bytes stay bytes (node-pty with `encoding: null`). It knows nothing
 * of links or channels: the session manager binds an output sink while a
 * console is attached. The exit is reported only after the last output byte
 * went to the replay buffer and the sink.
 */
export class PtySession {
  readonly sessionId: string;
  readonly operator: string;
  readonly loginUser: string;
  readonly startedAt = Date.now();
  private readonly replay: StreamTail;
  private readonly coalescer: OutputCoalescer;
  private readonly flow: FlowControl;
  private sink: OutputSink | undefined;
  private lastActivity = Date.now();
  private endReason: EndReason | undefined;
  private ended: SessionEnd | undefined;
  private terminating = false;
  private readonly endListeners = new Set<(end: SessionEnd) => void>();

  private constructor(
    private readonly term: pty.IPty,
    options: PtySessionOptions,
  ) {
    this.sessionId = options.sessionId;
    this.operator = options.operator;
    this.loginUser = options.user.name;
    this.replay = new StreamTail(options.replayBufferBytes);
    this.coalescer = new OutputCoalescer((chunk) => this.emit(chunk));
    this.flow = new FlowControl(term, options.flowHighWatermark, options.flowLowWatermark);
    // With `encoding: null` node-pty delivers Buffers; its typings still say string.
    term.onData((data) => this.onPtyData(data as unknown as Buffer));
    // Held until the child is reaped: a process that closes its terminal before it exits must not be hung up.
    const slave = holdPtySlave(term);
    const drain = watchPtyDrain(term, {
      data: (chunk) => this.onPtyData(chunk),
      childGone: () => {
        this.flow.release();
        // The kernel's buffer is drained; releasing lets the read stream end, and node-pty emit the exit.
        slave.dispose();
      },
    });
    term.onExit(({ exitCode, signal }) => {
      drain.dispose();
      slave.dispose();
      this.onPtyExit(exitCode, signal);
    });
  }

  static spawn(options: PtySessionOptions): Result<PtySession, EndReason> {
    const args = options.mode === 'exec' ? ['-c', options.command ?? ''] : ['-l'];
    try {
      const term = spawnWithUserGroups(options, () =>
        pty.spawn(options.shell, args, {
          name: 'xterm-256color',
          cols: options.cols,
          rows: options.rows,
          cwd: options.cwd,
          env: options.env,
          encoding: null,
          ...(options.switchUser ? { uid: options.user.uid, gid: options.user.gid } : {}),
        }),
      );
      return ok(new PtySession(term, options));
    } catch (error) {
      return err({ code: 'SPAWN_FAILED', message: `could not start ${options.shell}: ${(error as Error).message}` });
    }
  }

  get pid(): number {
    return this.term.pid;
  }

  /** Input bytes received so far; a console re-sends what it sent beyond this after a re-attach. */
  private inputReceived = 0;

  /** Total output so far: the offset of the next byte. */
  get offset(): number {
    return this.replay.end;
  }

  get running(): boolean {
    return this.ended === undefined;
  }

  get exit(): SessionEnd | undefined {
    return this.ended;
  }

  /** Milliseconds since the last input or output. */
  get idleMs(): number {
    return Date.now() - this.lastActivity;
  }

  /** Whether flow control holds the PTY's output back. */
  get isPaused(): boolean {
    return this.flow.isPaused;
  }

  /** The name of the terminal's foreground process (`sleep` while the shell runs `sleep 100`). */
  get foregroundProcess(): string {
    return this.term.process;
  }

  /**
   * Sends output from `offset` to the sink, then everything new. Returns the
   * offset output starts at, the range lost when the replay buffer no longer
   * holds `offset`, and how much input has arrived so far.
   */
  attach(
    sink: OutputSink,
    offset: number,
  ): { offset: number; lost?: { from: number; to: number }; inputOffset: number } {
    const start = Math.min(Math.max(offset, this.replay.start), this.replay.end);
    const lost = offset < this.replay.start ? { from: offset, to: this.replay.start } : undefined;
    this.sink = sink;
    // The new consumer holds what precedes `start`; what follows is unacknowledged.
    this.flow.restartAt(start);
    let at = start;
    for (const chunk of this.replay.from(start)) {
      sink(at, chunk);
      at += chunk.byteLength;
    }
    return { offset: start, ...(lost ? { lost } : {}), inputOffset: this.inputReceived };
  }

  /** Output goes on into the replay buffer until flow control pauses the PTY. */
  detach(): void {
    this.sink = undefined;
  }

  write(bytes: Uint8Array): void {
    if (!this.running) return;
    this.lastActivity = Date.now();
    this.inputReceived += bytes.byteLength;
    writePtyInput(this.term, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  resize(cols: number, rows: number): void {
    if (!this.running) return;
    try {
      this.term.resize(cols, rows);
    } catch {
      // the PTY closed in between: the exit is on its way
    }
  }

  /** The consumer has every byte below `offset`. */
  ack(offset: number): void {
    this.flow.ack(offset);
  }

  /**
   * Ends the whole process group (SIGHUP now, SIGKILL after 2 s). The
   * session ends when the PTY has drained; `reason` says why the agent ended
   * it (none when an operator closed it).
   */
  terminate(reason?: EndReason): void {
    if (!this.running) return;
    this.endReason ??= reason;
    if (this.terminating) return;
    this.terminating = true;
    if (process.platform === 'win32') this.term.kill();
    else endProcessGroup(this.term.pid);
  }

  onEnd(listener: (end: SessionEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private onPtyData(data: Buffer): void {
    this.lastActivity = Date.now();
    this.coalescer.push(data);
  }

  private emit(chunk: Uint8Array): void {
    const offset = this.replay.end;
    this.replay.append(chunk, this.flow.acknowledged);
    this.sink?.(offset, chunk);
    this.flow.produced(this.replay.end);
  }

  private onPtyExit(exitCode: number, signal: number | undefined): void {
    // node-pty emits exit after its read socket closed and watchPtyDrain read the rest: flush, then report.
    this.coalescer.dispose();
    this.flow.release();
    const signalName = signal ? (SIGNAL_NAMES.get(signal) ?? `SIG${signal}`) : null;
    this.ended = {
      code: signalName ? null : exitCode,
      signal: signalName,
      ...(this.endReason ? { reason: this.endReason } : {}),
      offset: this.replay.end,
    };
    for (const listener of [...this.endListeners]) listener(this.ended);
  }
}
