import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACK_BATCH_BYTES, MAX_DATA_PAYLOAD_BYTES } from '../protocol';
import type { FakeConnection } from './testing/fakeBroker';
import { LinkFixture, noise, openChannel, record, until } from './testing/linkFixture';

describe('TerminalChannel', () => {
  let fx: LinkFixture;

  beforeEach(async () => {
    fx = await LinkFixture.start();
  });

  afterEach(async () => {
    await fx.dispose();
  });

  describe('output and exit', () => {
    it('delivers output in order, then the exit, then ends', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      const out = record(channel);
      conn.sendOutput(id, 0, 'hello ');
      conn.sendOutput(id, 6, 'world\r\n');
      conn.send({ type: 'exit', channel: id, code: 3, signal: null, offset: 13 });
      await out.ended;
      expect(out.text).toBe('hello world\r\n');
      expect(out.events).toEqual(['exit:3', 'status:ended']);
      expect(channel.offset).toBe(13);
      expect(link.channels).toEqual([]);
    });

    it('passes the signal and the reason the agent gives', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      const exited = new Promise((resolve) => channel.onExit(resolve));
      conn.send({
        type: 'exit',
        channel: id,
        code: null,
        signal: 'SIGHUP',
        reason: { code: 'IDLE_TIMEOUT', message: 'idle for 30m' },
        offset: 0,
      });
      expect(await exited).toEqual({
        code: null,
        signal: 'SIGHUP',
        reason: { code: 'IDLE_TIMEOUT', message: 'idle for 30m' },
      });
    });

    it('holds output that arrives before anyone listens, and delivers it to the first listeners', async () => {
      const { link, conn } = await fx.connected();
      const opening = link.open({ machine: 'web-1', cols: 80, rows: 24 });
      const open = await conn.take('open');
      // Answer, output and exit back to back: they can arrive in the same tick as `opened`.
      conn.send({
        type: 'opened',
        channel: open.channel,
        sessionId: 'session-0001',
        machine: 'web-1',
        loginUser: 'root',
        offset: 0,
      });
      conn.sendOutput(open.channel, 0, 'early');
      conn.send({ type: 'exit', channel: open.channel, code: 0, signal: null, offset: 5 });
      const channel = await opening;
      await until(() => channel.status === 'ended');
      const out = record(channel);
      await out.ended;
      expect(out.text).toBe('early');
      expect(out.events).toEqual(['exit:0', 'status:ended']);
    });
  });

  describe('input', () => {
    it('encodes strings as UTF-8 and splits large input into frames within the payload limit', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      channel.write('héllo');
      const small = await conn.take('input');
      expect(small).toMatchObject({ channel: id });
      expect(Buffer.from(small.payload).toString('utf8')).toBe('héllo');

      const big = noise(MAX_DATA_PAYLOAD_BYTES * 2 + 100);
      channel.write(big);
      const frames = [await conn.take('input'), await conn.take('input'), await conn.take('input')];
      expect(frames.map((f) => f.payload.byteLength)).toEqual([MAX_DATA_PAYLOAD_BYTES, MAX_DATA_PAYLOAD_BYTES, 100]);
      expect(Buffer.concat(frames.map((f) => f.payload)).equals(big)).toBe(true);
    });

    it('sends a resize, a close and a detach for its channel', async () => {
      const { link, conn } = await fx.connected();
      const a = await openChannel(link, conn, 'session-aaaa');
      const b = await openChannel(link, conn, 'session-bbbb');
      a.channel.resize(132, 43);
      a.channel.close();
      const bOut = record(b.channel);
      b.channel.detach();
      expect(await conn.take('resize')).toEqual({ type: 'resize', channel: a.id, cols: 132, rows: 43 });
      expect(await conn.take('close')).toEqual({ type: 'close', channel: a.id });
      expect(await conn.take('detach')).toEqual({ type: 'detach', channel: b.id });
      await bOut.ended;
      expect(bOut.events).toEqual(['status:ended']);
      expect(a.channel.status).toBe('open');
    });
  });

  describe('acknowledgements', () => {
    it('acks only what was consumed: in batches while output flows, and when the consumer catches up', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      const chunk = 20 * 1024;
      const received: number[] = [];
      channel.onData((bytes) => received.push(bytes.byteLength));
      for (let i = 0; i < 5; i++) conn.sendOutput(id, i * chunk, new Uint8Array(chunk));
      await until(() => received.length === 5);
      expect(conn.pending('ack')).toEqual([]);

      // Three of five chunks consumed: 60 KiB is below the batch size, and output is still waiting.
      channel.consumed(3 * chunk);
      channel.consumed(0);
      // The fourth passes ACK_BATCH_BYTES.
      channel.consumed(chunk);
      expect(await conn.take('ack')).toEqual({ type: 'ack', channel: id, offset: 4 * chunk });
      expect(4 * chunk).toBeGreaterThanOrEqual(ACK_BATCH_BYTES);

      // The last chunk is small but everything delivered is now consumed: ack at once.
      channel.consumed(chunk);
      expect(await conn.take('ack')).toEqual({ type: 'ack', channel: id, offset: 5 * chunk });
    });
  });

  describe('resume', () => {
    /** A long output stream, sent by the fake agent in 1000-byte frames. */
    const stream = noise(50_000);

    function sendStream(conn: FakeConnection, channel: number, from: number, to: number): void {
      for (let at = from; at < to; at += 1000)
        conn.sendOutput(channel, at, stream.subarray(at, Math.min(to, at + 1000)));
    }

    it('re-attaches from its offset after a link drop, and a replay shows no byte twice', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn, 'session-long');
      const out = record(channel);
      sendStream(conn, id, 0, 20_000);
      await until(() => channel.offset === 20_000);
      conn.drop();

      const again = await fx.broker.nextConnection();
      await again.welcome();
      const attach = await again.take('attach');
      expect(attach).toMatchObject({ sessionId: 'session-long', offset: 20_000 });
      expect(attach.channel).not.toBe(id);
      // The agent replays from an earlier offset than asked: the overlap must be dropped.
      again.send({
        type: 'opened',
        channel: attach.channel,
        sessionId: 'session-long',
        machine: 'web-1',
        loginUser: 'root',
        offset: 15_000,
      });
      sendStream(again, attach.channel, 15_000, stream.length);
      again.send({ type: 'exit', channel: attach.channel, code: 0, signal: null, offset: stream.length });
      await out.ended;

      expect(out.bytes.equals(stream)).toBe(true);
      expect(out.events).toEqual(['status:resuming', 'status:open', 'exit:0', 'status:ended']);
      expect(channel.channelId).toBeUndefined();
    });

    it('sends input and a resize made while resuming after the re-attach', async () => {
      const { link, conn } = await fx.connected();
      const { channel } = await openChannel(link, conn);
      const resuming = new Promise((resolve) => channel.onStatus((s) => s === 'resuming' && resolve(s)));
      conn.drop();
      await resuming;
      expect(channel.write('typed while away')).toBe(true);
      channel.resize(90, 30);

      const again = await fx.broker.nextConnection();
      await again.welcome();
      const attach = await again.take('attach');
      again.send({
        type: 'opened',
        channel: attach.channel,
        sessionId: 'session-0001',
        machine: 'web-1',
        loginUser: 'root',
        offset: 0,
      });
      expect(await again.take('resize')).toMatchObject({ channel: attach.channel, cols: 90, rows: 30 });
      const input = await again.take('input');
      expect(Buffer.from(input.payload).toString()).toBe('typed while away');
    });

    it('sends again the input the agent did not receive before the link died, then what was held', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      channel.write('ls\r');
      expect(await conn.take('input')).toMatchObject({ channel: id, offset: 0 });
      channel.write('pwd\r');
      conn.drop();
      await new Promise((resolve) => channel.onStatus((s) => s === 'resuming' && resolve(s)));
      channel.write('id\r');

      const again = await fx.broker.nextConnection();
      await again.welcome();
      const attach = await again.take('attach');
      // The agent got `ls\r` only: `pwd\r` died with the old link.
      again.send({
        type: 'opened',
        channel: attach.channel,
        sessionId: 'session-0001',
        machine: 'web-1',
        loginUser: 'root',
        offset: 0,
        inputOffset: 3,
      });
      const resent = await again.take('input');
      const held = await again.take('input');
      expect([Buffer.from(resent.payload).toString(), resent.offset]).toEqual(['pwd\r', 3]);
      expect([Buffer.from(held.payload).toString(), held.offset]).toEqual(['id\r', 7]);
    });

    it('reports the bytes the replay buffer no longer held', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      const out = record(channel);
      conn.sendOutput(id, 0, 'abc');
      await until(() => channel.offset === 3);
      conn.drop();
      const again = await fx.broker.nextConnection();
      await again.welcome();
      const attach = await again.take('attach');
      again.send({
        type: 'opened',
        channel: attach.channel,
        sessionId: 'session-0001',
        machine: 'web-1',
        loginUser: 'root',
        offset: 5000,
        lost: { from: 3, to: 5000 },
      });
      again.sendOutput(attach.channel, 5000, 'xyz');
      await until(() => channel.offset === 5003);
      expect(out.text).toBe('abcxyz');
      expect(out.events).toEqual(['status:resuming', 'lost:3-5000', 'status:open']);
    });

    it('retries the attach while the agent is away and resumes when it is back', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      const out = record(channel);
      conn.send({ type: 'closed', channel: id, code: 'AGENT_DISCONNECTED', message: 'agent gone', resumable: true });
      const first = await conn.take('attach');
      conn.send({ type: 'error', code: 'MACHINE_OFFLINE', message: 'still offline', channel: first.channel });
      const second = await conn.take('attach');
      conn.send({
        type: 'opened',
        channel: second.channel,
        sessionId: 'session-0001',
        machine: 'web-1',
        loginUser: 'root',
        offset: 0,
      });
      await until(() => channel.status === 'open');
      expect(out.events).toEqual(['status:resuming', 'status:open']);
      expect(channel.channelId).toBe(second.channel);
    });

    it('stops on a permanent refusal and says why', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      const out = record(channel);
      conn.send({ type: 'closed', channel: id, code: 'AGENT_DISCONNECTED', message: 'agent gone', resumable: true });
      const attach = await conn.take('attach');
      conn.send({ type: 'error', code: 'SESSION_NOT_FOUND', message: 'the session ended', channel: attach.channel });
      await out.ended;
      expect(out.events).toEqual(['status:resuming', 'closed:SESSION_NOT_FOUND', 'status:ended']);
    });

    it('ends at once on a closed that is not resumable', async () => {
      const { link, conn } = await fx.connected();
      const { channel, id } = await openChannel(link, conn);
      const closed = new Promise((resolve) => channel.onClosed(resolve));
      conn.send({ type: 'closed', channel: id, code: 'RESUME_EXPIRED', message: 'too late', resumable: false });
      expect(await closed).toEqual({ code: 'RESUME_EXPIRED', message: 'too late' });
    });

    it('gives up after the give-up time', async () => {
      const { link, conn } = await fx.connected({ resumeGiveUpMs: 150 });
      const { channel, id } = await openChannel(link, conn);
      const out = record(channel);
      conn.send({ type: 'closed', channel: id, code: 'AGENT_DISCONNECTED', message: 'agent gone', resumable: true });
      // Keep refusing as an offline machine would.
      let ended = false;
      void out.ended.then(() => (ended = true));
      const refuse = async () => {
        while (!ended) {
          const attach = await conn.take('attach', 100).catch(() => undefined);
          if (attach)
            conn.send({ type: 'error', code: 'MACHINE_OFFLINE', message: 'offline', channel: attach.channel });
        }
      };
      const refusing = refuse();
      await out.ended;
      expect(out.events).toEqual(['status:resuming', 'closed:MACHINE_OFFLINE', 'status:ended']);
      await refusing;
    });
  });
});
