import * as pty from 'node-pty';

/**
 * Runs one of our commands inside a real pseudo-terminal, as a person at a
 * terminal would: raw mode, window size changes, Ctrl-C and the exit code
 * all behave as they do for a user.
 */
export class Interactive {
  private output = '';
  private readonly listeners = new Set<() => void>();
  readonly exited: Promise<{ exitCode: number; signal?: number }>;

  private constructor(private readonly term: pty.IPty) {
    term.onData((data) => {
      this.output += data;
      for (const listener of [...this.listeners]) listener();
    });
    this.exited = new Promise((resolve) => term.onExit(resolve));
  }

  static start(bin: string, args: string[], env: NodeJS.ProcessEnv, size = { cols: 80, rows: 24 }): Interactive {
    const term = pty.spawn(process.execPath, [bin, ...args], {
      name: 'xterm-256color',
      ...size,
      env: { ...process.env, ...env } as Record<string, string>,
    });
    return new Interactive(term);
  }

  get text(): string {
    return this.output;
  }

  type(text: string): void {
    this.term.write(text);
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Resolves once the output after position `from` matches. */
  waitFor(pattern: RegExp, timeoutMs = 10_000, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.output.slice(from).match(pattern);
        if (!match) return false;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(match);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(
          new Error(
            `no output matching ${pattern} within ${timeoutMs} ms (from ${from} of ${this.output.length}); output so far:\n${JSON.stringify(this.output.slice(-600))}`,
          ),
        );
      }, timeoutMs);
      this.listeners.add(listener);
      check();
    });
  }

  /** A mark for waitFor: only output after this point counts. */
  mark(): number {
    return this.output.length;
  }

  kill(): void {
    try {
      this.term.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
