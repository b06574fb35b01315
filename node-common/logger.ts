import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'pretty';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const STANDARD_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** One short human line from one pino JSON record: `12:00:01 INFO listening url=http://…`. */
export function formatPretty(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now()).toISOString().slice(11, 19);
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !STANDARD_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${level} ${String(record.msg ?? '')}${fields ? ` ${fields}` : ''}`;
}

function prettyStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(`${formatPretty(line)}\n`);
      done();
    },
  });
}

/**
 * JSON lines on stdout (the default, for log collectors and tests that wait
 * for a `msg`), or short human lines on stderr. Writes are synchronous so
 * nothing is lost when the process exits right after logging.
 */
export function createLogger(
  name: string,
  format: LogFormat = 'json',
  level = process.env.FLEETTERM_LOG_LEVEL ?? 'info',
): Logger {
  const options = { level, base: { name } };
  if (format === 'pretty') return pino(options, prettyStream(process.stderr));
  return pino(options, pino.destination({ dest: 1, sync: true }));
}

/** For tests and embedding: a logger that drops everything. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
