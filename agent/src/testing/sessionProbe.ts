import { userInfo } from 'node:os';
import { DEFAULT_REPLAY_BUFFER_BYTES } from '../../../common/protocol';
import type { LoginUser } from '../loginUser';
import { PtySession, type PtySessionOptions, type SessionEnd } from '../ptySession';

let counter = 0;

export function currentUser(): LoginUser {
  const self = userInfo();
  return { name: self.username, uid: self.uid, gid: self.gid, home: self.homedir, shell: '/bin/bash' };
}

/** A real PTY session as the current user: bash, 80×24, a clean environment. */
export function spawnSession(overrides: Partial<PtySessionOptions> = {}): PtySession {
  const user = overrides.user ?? currentUser();
  const spawned = PtySession.spawn({
    sessionId: `test-session-${process.pid}-${++counter}`,
    operator: 'alice',
    user,
    switchUser: false,
    shell: '/bin/bash',
    mode: 'exec',
    command: 'true',
    cols: 80,
    rows: 24,
    cwd: user.home,
    env: { HOME: user.home, USER: user.name, PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' },
    replayBufferBytes: DEFAULT_REPLAY_BUFFER_BYTES,
    ...overrides,
  });
  if (!spawned.ok) throw new Error(spawned.error.message);
  return spawned.value;
}

/**
 * Attaches to a session and records what a console would receive: checks
 * that offsets are contiguous, keeps the bytes, and lets tests await text
 * and the end (which must come after the last byte).
 */
export class SessionProbe {
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  start = 0;
  /** Set when an output chunk did not continue where the previous one ended. */
  gap: string | undefined;
  private readonly textWaiters = new Set<() => void>();
  readonly ended: Promise<SessionEnd>;

  /** With `autoAck`, the probe acknowledges each chunk once received, as a console does after consuming it. */
  constructor(
    readonly session: PtySession,
    fromOffset = 0,
    autoAck = false,
  ) {
    this.ended = new Promise((resolve) => session.onEnd(resolve));
    const attached = session.attach((offset, chunk) => {
      if (this.bytes === 0) this.start = offset;
      if (offset !== this.start + this.bytes)
        this.gap ??= `output at offset ${offset}, expected ${this.start + this.bytes}`;
      this.chunks.push(Uint8Array.from(chunk));
      this.bytes += chunk.byteLength;
      if (autoAck) queueMicrotask(() => session.ack(this.start + this.bytes));
      for (const wake of [...this.textWaiters]) wake();
    }, fromOffset);
    if (this.bytes === 0) this.start = attached.offset;
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves once the output (from the attach offset) matches. */
  waitForText(pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    const test = () => (typeof pattern === 'string' ? this.text.includes(pattern) : pattern.test(this.text));
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (!test()) return;
        this.textWaiters.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.textWaiters.delete(wake);
        reject(new Error(`output never matched ${String(pattern)}; got ${JSON.stringify(this.text.slice(-500))}`));
      }, timeoutMs);
      this.textWaiters.add(wake);
    });
  }

  /** Types into the terminal as a console would. */
  type(text: string): void {
    this.session.write(Buffer.from(text, 'utf8'));
  }
}
