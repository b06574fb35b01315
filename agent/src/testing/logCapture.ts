import { pino, type Logger } from 'pino';

export type LogRecord = Record<string, unknown> & { msg?: string };

interface Waiter {
  match: (record: LogRecord) => boolean;
  resolve: (record: LogRecord) => void;
}

/** A pino logger whose records tests can read and await, by `msg` or by predicate. */
export class LogCapture {
  readonly records: LogRecord[] = [];
  readonly logger: Logger;
  private readonly waiters = new Set<Waiter>();

  constructor(level = 'debug') {
    this.logger = pino({ level }, { write: (line: string) => this.onLine(line) });
  }

  messages(): string[] {
    return this.records.map((r) => String(r.msg));
  }

  /** The first record (already logged or future) that matches, counting from record `since`. */
  waitFor(match: string | ((record: LogRecord) => boolean), timeoutMs = 10_000, since = 0): Promise<LogRecord> {
    const test = typeof match === 'string' ? (r: LogRecord) => r.msg === match : match;
    const found = this.records.slice(since).find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: test,
        resolve: (record) => {
          clearTimeout(timer);
          resolve(record);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(`no log matching ${String(match)} within ${timeoutMs} ms; got: ${this.messages().join(', ')}`),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private onLine(line: string): void {
    const record = JSON.parse(line) as LogRecord;
    this.records.push(record);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(record)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(record);
    }
  }
}
