import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExec, type ExecOptions } from './execCommand';
import type { ExecResult } from './execSummary';
import { CliError } from './exitCodes';
import { Capture, FakeBroker, fakeClient, machine, runCommand, serveOpens } from './testing';

const fleet = [
  machine('db-1', { role: 'db' }),
  machine('web-10', { role: 'web' }),
  machine('web-2', { role: 'web' }, false),
];

function options(overrides: Partial<ExecOptions> = {}): ExecOptions {
  return { selection: { names: [], labels: {}, all: true }, command: 'run-it', mode: 'prefix', ...overrides };
}

describe('fleetterm exec', () => {
  let broker: FakeBroker;
  beforeEach(async () => {
    broker = await FakeBroker.start();
  });
  afterEach(async () => {
    await broker.close();
  });

  async function exec(opts: ExecOptions, stdout = new Capture()) {
    const stderr = new Capture();
    const code = await runExec(opts, { client: fakeClient(broker, fleet), io: { stdout, stderr, env: {} } });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('opens one exec session per online machine over one link, prefixes lines and summarises', async () => {
    const opens: unknown[] = [];
    void serveOpens(broker, (open, conn) => {
      opens.push(open);
      if (open.machine === 'db-1') runCommand(conn, open, 'one\r\ntwo\r\n', 0);
      else runCommand(conn, open, 'x\r\nno newline', 3);
    });
    const done = await exec(options());
    expect(broker.connectionCount).toBe(1);
    expect(opens).toEqual([
      expect.objectContaining({ machine: 'db-1', mode: 'exec', command: 'run-it', cols: 80 }),
      expect.objectContaining({ machine: 'web-10', mode: 'exec', command: 'run-it' }),
    ]);
    expect(done.stdout.split('\n').sort()).toEqual([
      '',
      'db-1   | one',
      'db-1   | two',
      'web-10 | no newline',
      'web-10 | x',
    ]);
    expect(done.stderr).toMatch(/db-1 +exit 0/);
    expect(done.stderr).toMatch(/web-10 +exit 3/);
    expect(done.stderr).toMatch(/web-2 +MACHINE_OFFLINE/);
    expect(done.code).toBe(1);
  });

  it('exits 0 when every machine exits 0', async () => {
    void serveOpens(broker, (open, conn) => runCommand(conn, open, 'ok\r\n', 0));
    const done = await exec(options({ selection: { names: [], labels: { role: 'db' }, all: false } }));
    expect(done.stdout).toBe('db-1 | ok\n');
    expect(done.code).toBe(0);
  });

  it('colours the prefix only when stdout is a terminal', async () => {
    void serveOpens(broker, (open, conn) => runCommand(conn, open, 'ok\r\n', 0));
    const done = await exec(
      options({ selection: { names: ['db-1'], labels: {}, all: false } }),
      new Capture(true, 100),
    );
    expect(done.stdout).toBe('\x1b[36mdb-1 |\x1b[0m ok\n');
  });

  it('prints exactly one JSON document with --json, refusals included', async () => {
    void serveOpens(broker, (open, conn) => {
      if (open.machine === 'db-1') runCommand(conn, open, 'line 1\r\nline 2\r\n', 0);
      else
        conn.send({
          type: 'error',
          code: 'REMOTE_SHELL_DISABLED',
          message: 'remote_shell = false',
          channel: open.channel,
        });
    });
    const done = await exec(options({ mode: 'json' }));
    const { results } = JSON.parse(done.stdout) as { results: ExecResult[] };
    expect(results).toEqual([
      { machine: 'db-1', exitCode: 0, signal: null, output: 'line 1\nline 2\n' },
      {
        machine: 'web-10',
        exitCode: null,
        signal: null,
        output: '',
        error: { code: 'REMOTE_SHELL_DISABLED', message: 'remote_shell = false' },
      },
      {
        machine: 'web-2',
        exitCode: null,
        signal: null,
        output: '',
        error: { code: 'MACHINE_OFFLINE', message: expect.any(String) },
      },
    ]);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(1);
  });

  it('prints each machine’s output whole with --group', async () => {
    void serveOpens(broker, (open, conn) => runCommand(conn, open, `${open.machine} a\r\n${open.machine} b`, 0));
    const done = await exec(
      options({ mode: 'group', selection: { names: ['db-1', 'web-10'], labels: {}, all: false } }),
    );
    const blocks = done.stdout.split(/(?==== )/).sort();
    expect(blocks).toEqual(['=== db-1 ===\ndb-1 a\ndb-1 b\n', '=== web-10 ===\nweb-10 a\nweb-10 b\n']);
  });

  it('closes sessions still running at the timeout and reports TIMEOUT', async () => {
    const conn = serveOpens(broker, (open, c) => {
      c.send({
        type: 'opened',
        channel: open.channel,
        sessionId: 'session-slow',
        machine: open.machine,
        loginUser: 'root',
        offset: 0,
      });
    });
    const answering = (async () => {
      const c = await conn;
      const close = await c.take('close');
      c.send({ type: 'exit', channel: close.channel, code: null, signal: 'SIGHUP', offset: 0 });
    })();
    const done = await exec(
      options({ mode: 'json', timeoutMs: 100, selection: { names: ['db-1'], labels: {}, all: false } }),
    );
    await answering;
    const { results } = JSON.parse(done.stdout) as { results: ExecResult[] };
    expect(results[0]).toMatchObject({ signal: 'SIGHUP', error: { code: 'TIMEOUT' } });
    expect(done.code).toBe(1);
  });

  it('gives up at the timeout on a machine that never answers the open', async () => {
    void serveOpens(broker, () => undefined);
    const done = await exec(
      options({ mode: 'json', timeoutMs: 100, selection: { names: ['db-1'], labels: {}, all: false } }),
    );
    const { results } = JSON.parse(done.stdout) as { results: ExecResult[] };
    expect(results[0]).toMatchObject({
      error: { code: 'TIMEOUT', message: expect.stringContaining('never answered') },
    });
    expect(done.code).toBe(1);
  });

  it('acknowledges output once it has been written', async () => {
    const conn = serveOpens(broker, (open, c) => {
      c.send({
        type: 'opened',
        channel: open.channel,
        sessionId: 'session-acks',
        machine: open.machine,
        loginUser: 'root',
        offset: 0,
      });
      c.sendOutput(open.channel, 0, 'hello\r\n');
    });
    const answering = (async () => {
      const c = await conn;
      const ack = await c.take('ack');
      c.send({ type: 'exit', channel: ack.channel, code: 0, signal: null, offset: 7 });
      return ack;
    })();
    const done = await exec(options({ selection: { names: ['db-1'], labels: {}, all: false } }));
    expect((await answering).offset).toBe(7);
    expect(done.code).toBe(0);
  });

  it('reports an unreachable broker with exit code 3', async () => {
    await broker.close();
    const error = await exec(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 3 });
    broker = await FakeBroker.start();
  });
});
