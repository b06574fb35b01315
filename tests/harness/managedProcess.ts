import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One JSON log record as written by the broker and the agent (pino). */
export type LogRecord = Record<string, unknown> & { msg?: string };

interface Waiter {
  match: (record: LogRecord) => boolean;
  resolve: (record: LogRecord) => void;
}

/**
 * A child process of the test whose JSON log lines can be awaited. Every
 * process started here is killed by `stop()`, which tests call in afterEach /
 * afterAll, so a failing test leaves nothing running.
 */
export class ManagedProcess {
  readonly records: LogRecord[] = [];
  readonly stderr: string[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ManagedProcess {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ManagedProcess(name, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first record (already logged or future) that matches. */
  waitForLog(match: string | ((record: LogRecord) => boolean), timeoutMs = 15_000, since = 0): Promise<LogRecord> {
    const test = typeof match === 'string' ? (r: LogRecord) => r.msg === match : match;
    const found = this.records.slice(since).find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.name}: no log matching ${String(match)} within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match: test,
        resolve: (record) => {
          clearTimeout(timer);
          resolve(record);
        },
      };
      this.waiters.add(waiter);
      void this.exited.then(() => {
        if (!this.waiters.has(waiter)) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before logging ${String(match)}\n${this.describe()}`));
      });
    });
  }

  /** Resolves with the exit status once the process has ended. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves when it is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL: the process dies without cleaning up, like a crash. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  describe(): string {
    const tail = (lines: string[]) => lines.slice(-15).join('\n');
    return `--- ${this.name} stdout (last records) ---\n${tail(this.records.map((r) => JSON.stringify(r)))}\n--- stderr ---\n${tail(this.stderr)}`;
  }

  private onLine(line: string): void {
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      record = { msg: line, unparsed: true };
    }
    this.records.push(record);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(record)) {
        this.waiters.delete(waiter);
        waiter.resolve(record);
      }
    }
  }
}
