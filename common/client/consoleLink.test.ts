import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeDataFrame, MAX_DATA_PAYLOAD_BYTES, PROTOCOL_VERSION, type ConsoleToBroker } from '../protocol';
import type { LinkState, ProtocolProblem } from './consoleLink';
import { LinkClosedError, ProtocolRefusal } from './errors';
import { LinkFixture, openChannel, record, until } from './testing/linkFixture';
import { AUTH_FAILED_CLOSE_CODE, type WebSocketLike } from './webSocketLike';

describe('ConsoleLink', () => {
  let fx: LinkFixture;

  beforeEach(async () => {
    fx = await LinkFixture.start();
  });

  afterEach(async () => {
    await fx.dispose();
  });

  describe('connecting', () => {
    it('says hello as a console and is ready once the broker welcomes it', async () => {
      const link = fx.link({ software: 'fleetterm/9.9', capabilities: ['broadcast'] });
      expect(link.state).toBe('connecting');
      const conn = await fx.broker.nextConnection();
      const hello = await conn.take('hello');
      expect(hello).toMatchObject({
        role: 'console',
        protocol: PROTOCOL_VERSION,
        software: 'fleetterm/9.9',
        capabilities: ['broadcast'],
      });
      conn.send({
        type: 'welcome',
        protocol: { major: 1, minor: 7 },
        software: 'b',
        heartbeatMs: 15_000,
        identity: 'ops',
      });
      await expect(link.ready()).resolves.toMatchObject({ identity: 'ops' });
      expect(link.state).toBe('connected');
    });

    it('fails at once when the broker cannot be reached and retrying the first connect is off', async () => {
      await fx.broker.close();
      const link = fx.link();
      const error = await link.ready().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LinkClosedError);
      expect(link.state).toBe('closed');
    });

    it('keeps trying the first connect when asked to', async () => {
      let attempts = 0;
      const link = fx.link({
        retryFirstConnect: true,
        socketFactory: () => {
          attempts += 1;
          if (attempts < 3) return closingSocket(1006, 'connection refused');
          return fx.broker.factory();
        },
      });
      const conn = await fx.broker.nextConnection();
      await conn.welcome();
      await link.ready();
      expect(attempts).toBe(3);
    });

    it('stops for good when the factory reports a refused token', async () => {
      let attempts = 0;
      const link = fx.link({
        retryFirstConnect: true,
        socketFactory: () => {
          attempts += 1;
          return closingSocket(AUTH_FAILED_CLOSE_CODE, 'UNAUTHORIZED: unknown token');
        },
      });
      const error = (await link.ready().catch((e: unknown) => e)) as LinkClosedError;
      expect(error.authFailed).toBe(true);
      expect(error.message).toContain('unknown token');
      expect(link.state).toBe('closed');
      expect(attempts).toBe(1);
    });

    it('gives up on a broker that accepts the connection but never welcomes', async () => {
      const link = fx.link({ welcomeTimeoutMs: 100 });
      await fx.broker.nextConnection();
      const error = (await link.ready().catch((e: unknown) => e)) as LinkClosedError;
      expect(error.message).toMatch(/did not answer the hello/);
    });

    it('refuses a broker with another major protocol version', async () => {
      const link = fx.link();
      const conn = await fx.broker.nextConnection();
      await conn.take('hello');
      conn.send({
        type: 'welcome',
        protocol: { major: 2, minor: 0 },
        software: 'b',
        heartbeatMs: 15_000,
        identity: 'ops',
      });
      const error = (await link.ready().catch((e: unknown) => e)) as LinkClosedError;
      expect(error.closeCode).toBe(4002);
      expect(error.message).toMatch(/protocol 2\.0/);
    });
  });

  describe('opening sessions', () => {
    it('opens a session on a channel id it chose and reports what the broker opened', async () => {
      const { link, conn } = await fx.connected();
      const opening = link.open({
        machine: 'web-1',
        loginUser: 'deploy',
        mode: 'exec',
        command: 'uptime',
        cols: 100,
        rows: 30,
      });
      const open = await conn.take('open');
      expect(open).toMatchObject({
        machine: 'web-1',
        loginUser: 'deploy',
        mode: 'exec',
        command: 'uptime',
        cols: 100,
        rows: 30,
      });
      conn.send({
        type: 'opened',
        channel: open.channel,
        sessionId: 'abcdefgh',
        machine: 'web-1',
        loginUser: 'deploy',
        offset: 0,
      });
      const channel = await opening;
      expect(channel).toMatchObject({
        sessionId: 'abcdefgh',
        machine: 'web-1',
        loginUser: 'deploy',
        offset: 0,
        status: 'open',
      });
      expect(channel.channelId).toBe(open.channel);
    });

    it('gives each open its own channel id', async () => {
      const { link, conn } = await fx.connected();
      // Never answered: they reject when the link is disposed after the test.
      link.open({ machine: 'a', cols: 80, rows: 24 }).catch(() => undefined);
      link.open({ machine: 'b', cols: 80, rows: 24 }).catch(() => undefined);
      const first = await conn.take('open');
      const second = await conn.take('open');
      expect(first.channel).not.toBe(second.channel);
    });

    it('rejects with a ProtocolRefusal carrying the code when the broker refuses', async () => {
      const { link, conn } = await fx.connected();
      const opening = link.open({ machine: 'db-1', cols: 80, rows: 24 });
      const open = await conn.take('open');
      conn.send({ type: 'error', code: 'MACHINE_OFFLINE', message: 'db-1 is offline', channel: open.channel });
      const refusal = (await opening.catch((e: unknown) => e)) as ProtocolRefusal;
      expect(refusal).toBeInstanceOf(ProtocolRefusal);
      expect(refusal).toMatchObject({ code: 'MACHINE_OFFLINE', message: 'db-1 is offline' });
      expect(link.state).toBe('connected');
    });

    it('refuses an invalid request without sending it', async () => {
      const { link, conn } = await fx.connected();
      const refusal = (await link
        .open({ machine: 'no spaces allowed', cols: 80, rows: 24 })
        .catch((e: unknown) => e)) as ProtocolRefusal;
      expect(refusal.code).toBe('BAD_REQUEST');
      expect(refusal.message).toMatch(/^machine: /);
      expect(conn.pending('open')).toEqual([]);
      await expect(link.attach('x', 0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    });

    it('rejects a pending open when the link drops before the answer', async () => {
      const { link, conn } = await fx.connected();
      const opening = link.open({ machine: 'web-1', cols: 80, rows: 24 });
      await conn.take('open');
      conn.drop();
      await expect(opening).rejects.toBeInstanceOf(LinkClosedError);
    });

    it('takes up a kept session with attach', async () => {
      const { link, conn } = await fx.connected();
      const attaching = link.attach('kept-session', 500);
      const attach = await conn.take('attach');
      expect(attach).toMatchObject({ sessionId: 'kept-session', offset: 500 });
      conn.send({
        type: 'opened',
        channel: attach.channel,
        sessionId: 'kept-session',
        machine: 'm1',
        loginUser: 'root',
        offset: 500,
      });
      const channel = await attaching;
      expect(channel.offset).toBe(500);
      const out = record(channel);
      conn.sendOutput(attach.channel, 500, 'more');
      conn.send({ type: 'exit', channel: attach.channel, code: 0, signal: null, offset: 504 });
      await out.ended;
      expect(out.text).toBe('more');
    });
  });

  describe('broadcast', () => {
    it('sends one frame naming all three channels', async () => {
      const { link, conn } = await fx.connected();
      const a = await openChannel(link, conn, 'session-aaaa');
      const b = await openChannel(link, conn, 'session-bbbb');
      const c = await openChannel(link, conn, 'session-cccc');
      link.broadcast([a.channel, b.channel, c.channel], 'uptime\r');
      const frame = await conn.take('broadcast');
      expect(frame.channels.sort()).toEqual([a.id, b.id, c.id].sort());
      expect(Buffer.from(frame.payload).toString()).toBe('uptime\r');
      expect(conn.pending('input')).toEqual([]);
    });

    it('splits a large broadcast into frames of at most the payload limit', async () => {
      const { link, conn } = await fx.connected();
      const a = await openChannel(link, conn, 'session-aaaa');
      const b = await openChannel(link, conn, 'session-bbbb');
      link.broadcast([a.channel, b.channel], new Uint8Array(MAX_DATA_PAYLOAD_BYTES + 10).fill(65));
      const first = await conn.take('broadcast');
      const second = await conn.take('broadcast');
      expect([first.payload.byteLength, second.payload.byteLength]).toEqual([MAX_DATA_PAYLOAD_BYTES, 10]);
    });
  });

  describe('bad input from the broker', () => {
    it('reports every invalid frame to onProtocolError and keeps working', async () => {
      const { link, conn } = await fx.connected();
      const problems: ProtocolProblem[] = [];
      link.onProtocolError((p) => problems.push(p));
      conn.sendRaw('{not json');
      conn.sendRaw(JSON.stringify({ type: 'opened', channel: -1 }));
      conn.sendRaw(JSON.stringify({ type: 'launch-missiles' }));
      conn.sendRaw(new Uint8Array([1, 2, 3]));
      conn.sendRaw(new Uint8Array(20).fill(0xff));
      conn.sendRaw(encodeDataFrame({ type: 'input', channel: 1, offset: 0, payload: new Uint8Array(1) }));
      conn.sendOutput(999, 0, 'stray output');
      conn.send({ type: 'error', code: 'BAD_FRAME', message: 'your frame was bad' });
      await until(() => problems.length === 8);
      expect(problems.map((p) => p.code)).toEqual([
        'BAD_MESSAGE',
        'BAD_MESSAGE',
        'BAD_MESSAGE',
        'BAD_FRAME',
        'BAD_FRAME',
        'UNEXPECTED_MESSAGE',
        'UNKNOWN_CHANNEL',
        'BAD_FRAME',
      ]);
      expect(problems.at(-1)?.source).toBe('broker');
      expect(link.state).toBe('connected');
      const { channel } = await openChannel(link, conn);
      expect(channel.status).toBe('open');
    });

    it('refuses frames that arrive before the welcome', async () => {
      const link = fx.link();
      const problems: ProtocolProblem[] = [];
      link.onProtocolError((p) => problems.push(p));
      const conn = await fx.broker.nextConnection();
      await conn.take('hello');
      conn.send({ type: 'exit', channel: 1, code: 0, signal: null, offset: 0 });
      conn.send({
        type: 'welcome',
        protocol: { ...PROTOCOL_VERSION },
        software: 'b',
        heartbeatMs: 15_000,
        identity: 'ops',
      });
      await link.ready();
      expect(problems[0]).toMatchObject({ code: 'UNEXPECTED_MESSAGE' });
    });
  });

  describe('reconnecting', () => {
    it('reconnects after a drop, reporting its state along the way', async () => {
      const { link, conn } = await fx.connected();
      const states: LinkState[] = [];
      // While it waits, it says when the next attempt is due (for "reconnecting in N s").
      const dueAt: Array<number | undefined> = [];
      link.onState((s) => {
        states.push(s);
        dueAt.push(link.nextReconnectAt);
      });
      expect(link.nextReconnectAt).toBeUndefined();
      const before = Date.now();
      conn.drop();
      const again = await fx.broker.nextConnection();
      await again.welcome();
      await until(() => link.state === 'connected');
      expect(states).toEqual(['reconnecting', 'connected']);
      expect(dueAt[0]).toBeGreaterThanOrEqual(before);
      expect(dueAt[1]).toBeUndefined();
    });

    it('stops reconnecting on a fatal close code and ends its channels', async () => {
      const { link, conn } = await fx.connected();
      const { channel } = await openChannel(link, conn);
      const out = record(channel);
      conn.socket.close(4004, 'revoked');
      await out.ended;
      expect(link.state).toBe('closed');
      expect(out.events).toContain('closed:LINK_CLOSED');
      await expect(link.ready()).rejects.toMatchObject({ closeCode: 4004 });
      expect(fx.broker.connectionCount).toBe(1);
    });

    it('closes cleanly on dispose and never reconnects', async () => {
      const { link, conn } = await fx.connected();
      link.dispose();
      link.dispose();
      expect((await conn.closed).code).toBe(1000);
      expect(link.state).toBe('closed');
      expect(fx.broker.connectionCount).toBe(1);
    });
  });

  it('sends control messages that the broker-side decoder accepts', async () => {
    // The fake broker throws on anything its decoders refuse, so a full
    // conversation here proves every message the link sends is valid.
    const { link, conn } = await fx.connected();
    const { channel, id } = await openChannel(link, conn);
    channel.resize(120, 40);
    channel.write('ls\r');
    channel.close();
    const sent: ConsoleToBroker[] = [await conn.take('resize'), await conn.take('close')];
    expect(sent).toEqual([
      { type: 'resize', channel: id, cols: 120, rows: 40 },
      { type: 'close', channel: id },
    ]);
    const input = await conn.take('input');
    expect(input.channel).toBe(id);
    expect(Buffer.from(input.payload).toString()).toBe('ls\r');
  });
});

/** A socket that never opens and closes with the given code on the next tick. */
function closingSocket(code: number, reason: string): WebSocketLike {
  const socket: WebSocketLike = {
    binaryType: 'blob',
    readyState: 0,
    bufferedAmount: 0,
    send: () => undefined,
    close: () => undefined,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  };
  setTimeout(() => socket.onclose?.({ code, reason }), 0);
  return socket;
}
