import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runShell } from './shellCommand';
import {
  Capture,
  FakeBroker,
  fakeClient,
  FakeSignals,
  FakeStdin,
  FakeTerminal,
  machine,
  serveOpens,
  type FakeConnection,
} from './testing';

describe('fleetterm shell', () => {
  let broker: FakeBroker;
  beforeEach(async () => {
    broker = await FakeBroker.start();
  });
  afterEach(async () => {
    await broker.close();
  });

  function start(options: { tty?: boolean } = {}) {
    const tty = options.tty ?? true;
    const stdin = new FakeStdin(tty);
    const stdout = new FakeTerminal(tty, 100, 30);
    const stderr = new Capture();
    const signals = new FakeSignals();
    const client = fakeClient(broker, [machine('web-1')]);
    const done = runShell(
      { machine: 'web-1' },
      { client, io: { stdin, stdout, stderr, env: {} }, signals: signals.source },
    );
    return { stdin, stdout, stderr, signals, done };
  }

  const opens: unknown[] = [];

  /** Serves the shell as an agent would: opened, then what the test does. */
  async function opened(): Promise<{ conn: FakeConnection; channel: number }> {
    let resolveChannel: (channel: number) => void = () => undefined;
    const channel = new Promise<number>((resolve) => (resolveChannel = resolve));
    const conn = await serveOpens(broker, (open, c) => {
      expect(open).toMatchObject({ machine: 'web-1', mode: 'shell' });
      opens.push(open);
      c.send({
        type: 'opened',
        channel: open.channel,
        sessionId: 'session-shell',
        machine: 'web-1',
        loginUser: 'root',
        offset: 0,
      });
      resolveChannel(open.channel);
    });
    return { conn, channel: await channel };
  }

  it('runs in raw mode, relays keys, output and resizes, and returns the remote exit status', async () => {
    const shell = start();
    const { conn, channel } = await opened();
    expect(opens.at(-1)).toMatchObject({ cols: 100, rows: 30 });
    conn.sendOutput(channel, 0, '$ ');
    await shell.stdin.reading;
    shell.stdin.type('exit 3\r');
    const input = await conn.take('input');
    expect(Buffer.from(input.payload).toString()).toBe('exit 3\r');
    shell.stdout.resize(132, 43);
    expect(await conn.take('resize')).toMatchObject({ channel, cols: 132, rows: 43 });
    conn.send({ type: 'exit', channel, code: 3, signal: null, offset: 2 });
    expect(await shell.done).toBe(3);
    expect(shell.stdout.text).toBe('$ ');
    expect(shell.stdin.rawModes).toEqual([true, false]);
    expect(shell.signals.count).toBe(0);
  });

  it('says why the agent ended the session', async () => {
    const shell = start();
    const { conn, channel } = await opened();
    conn.send({
      type: 'exit',
      channel,
      code: null,
      signal: 'SIGHUP',
      reason: { code: 'IDLE_TIMEOUT', message: 'idle for 1s' },
      offset: 0,
    });
    expect(await shell.done).toBe(129);
    expect(shell.stderr.text).toContain('IDLE_TIMEOUT: idle for 1s');
  });

  it('prints a refusal with its code and returns 1, leaving the terminal alone', async () => {
    const shell = start();
    void serveOpens(broker, (open, c) =>
      c.send({ type: 'error', code: 'MACHINE_NOT_FOUND', message: 'No machine has this name.', channel: open.channel }),
    );
    expect(await shell.done).toBe(1);
    expect(shell.stderr.text).toBe('fleetterm: MACHINE_NOT_FOUND: No machine has this name.\n');
    expect(shell.stdin.rawModes).toEqual([]);
  });

  it('closes the session on SIGTERM, restores the terminal and returns 143', async () => {
    const shell = start();
    const { conn } = await opened();
    await shell.signals.listening;
    shell.signals.raise('SIGTERM');
    expect(await shell.done).toBe(143);
    await conn.take('close');
    expect(shell.stdin.isRaw).toBe(false);
  });

  it('tells the user when the connection drops and resumes', async () => {
    const shell = start();
    const { conn, channel } = await opened();
    conn.sendOutput(channel, 0, 'before ');
    await conn.take('ack');
    conn.drop();
    const again = await broker.nextConnection();
    await again.welcome();
    const attach = await again.take('attach');
    expect(attach).toMatchObject({ sessionId: 'session-shell', offset: 7 });
    again.send({
      type: 'opened',
      channel: attach.channel,
      sessionId: 'session-shell',
      machine: 'web-1',
      loginUser: 'root',
      offset: 7,
    });
    again.sendOutput(attach.channel, 7, 'after');
    again.send({ type: 'exit', channel: attach.channel, code: 0, signal: null, offset: 12 });
    expect(await shell.done).toBe(0);
    expect(shell.stdout.text).toBe('before after');
    expect(shell.stderr.text).toBe('\r\n[fleetterm: connection lost, resuming…]\r\n\r\n[fleetterm: resumed]\r\n');
  });

  it('works with a pipe on stdin: sends it as input and Ctrl-D at its end', async () => {
    const shell = start({ tty: false });
    const { conn, channel } = await opened();
    await shell.stdin.reading;
    shell.stdin.type('echo hi\n');
    shell.stdin.emit('end');
    const typed = await conn.take('input');
    const eot = await conn.take('input');
    expect([Buffer.from(typed.payload).toString(), Buffer.from(eot.payload).toString()]).toEqual(['echo hi\n', '\x04']);
    conn.send({ type: 'exit', channel, code: 0, signal: null, offset: 0 });
    expect(await shell.done).toBe(0);
    expect(shell.stdin.rawModes).toEqual([]);
  });
});
