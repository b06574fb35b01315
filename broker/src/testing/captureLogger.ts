import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A logger that keeps its records, for tests that assert what was (not) logged. */
export function captureLogger(): { logger: Logger; records: Array<{ level: number; msg: string }> } {
  const records: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) records.push(JSON.parse(line) as { level: number; msg: string });
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), records };
}
