import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBinaryFrame, encodeBroadcastFrame, encodeDataFrame } from '../../../common/protocol';
import { openSession } from '../testing/sessions';
import { TestBroker, type AgentTlsIdentity } from '../testing/testBroker';
import type { WsPeer } from '../testing/wsPeer';

let t: TestBroker;
let agent: WsPeer;
let machineId: string;
let identity: AgentTlsIdentity;
let operatorToken: string;

beforeEach(async () => {
  t = await TestBroker.start();
  const enrolled = await t.enroll('web-1');
  machineId = enrolled.machineId;
  identity = enrolled.identity;
  agent = await t.agent(enrolled.identity);
  operatorToken = t.apiToken('operator', 'alice');
});
afterEach(() => t.close());

const session = (id: string) => t.store.findSession(id);

describe('open', () => {
  it('assigns a session id, asks the agent, and relays its opened on the console channel', async () => {
    const console = await t.console(operatorToken);
    console.send({ type: 'open', channel: 7, machine: 'web-1', cols: 100, rows: 30, loginUser: 'alice' });
    const open = await agent.next('open');
    expect(open).toMatchObject({ operator: 'alice', mode: 'shell', cols: 100, rows: 30, loginUser: 'alice' });
    expect(open.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    agent.send({ type: 'opened', channel: open.channel, sessionId: open.sessionId, loginUser: 'alice', offset: 0 });
    expect(await console.next('opened')).toEqual({
      type: 'opened',
      channel: 7,
      sessionId: open.sessionId,
      machine: 'web-1',
      loginUser: 'alice',
      offset: 0,
    });
    expect(session(open.sessionId as string)).toMatchObject({ operator: 'alice', machineId, endedAt: null });
  });

  it('passes exec commands on', async () => {
    const console = await t.console(operatorToken);
    console.send({ type: 'open', channel: 1, machine: 'web-1', cols: 80, rows: 24, mode: 'exec', command: 'uname -a' });
    expect(await agent.next('open')).toMatchObject({ mode: 'exec', command: 'uname -a' });
  });

  it('is FORBIDDEN to an auditor', async () => {
    const console = await t.console(t.apiToken('auditor'));
    console.send({ type: 'open', channel: 1, machine: 'web-1', cols: 80, rows: 24 });
    expect(await console.next('error')).toMatchObject({ code: 'FORBIDDEN', channel: 1 });
  });

  it('of an enrolled machine whose agent is offline is refused with MACHINE_OFFLINE', async () => {
    await t.enroll('web-2');
    const console = await t.console(operatorToken);
    console.send({ type: 'open', channel: 1, machine: 'web-2', cols: 80, rows: 24 });
    const error = await console.next<{ type: 'error'; message: string }>('error');
    expect(error).toMatchObject({ code: 'MACHINE_OFFLINE', channel: 1 });
    expect(error.message).toContain('never connected');
  });

  it('of an unknown machine is refused with MACHINE_NOT_FOUND', async () => {
    const console = await t.console(operatorToken);
    console.send({ type: 'open', channel: 1, machine: 'nope', cols: 80, rows: 24 });
    expect(await console.next('error')).toMatchObject({ code: 'MACHINE_NOT_FOUND', channel: 1 });
  });

  it('on a channel already in use is refused with CHANNEL_IN_USE', async () => {
    const console = await t.console(operatorToken);
    await openSession(console, agent, 'web-1', 1);
    console.send({ type: 'open', channel: 1, machine: 'web-1', cols: 80, rows: 24 });
    expect(await console.next('error')).toMatchObject({ code: 'CHANNEL_IN_USE', channel: 1 });
  });

  it('refused by the agent is refused to the console and leaves no session behind', async () => {
    const console = await t.console(operatorToken);
    console.send({ type: 'open', channel: 3, machine: 'web-1', cols: 80, rows: 24 });
    const open = await agent.next('open');
    agent.send({ type: 'error', channel: open.channel, code: 'LIMIT_TOTAL_SHELLS', message: 'max_shells = 1' });
    expect(await console.next('error')).toEqual({
      type: 'error',
      channel: 3,
      code: 'LIMIT_TOTAL_SHELLS',
      message: 'max_shells = 1',
    });
    expect(session(open.sessionId as string)).toBeUndefined();
  });
});

describe('data', () => {
  it('relays output and input bytes unchanged, with the channel rewritten', async () => {
    const console = await t.console(operatorToken);
    const { agentChannel, sessionId } = await openSession(console, agent, 'web-1', 9);
    const output = randomBytes(200_000);
    agent.sendBinary(encodeDataFrame({ type: 'output', channel: agentChannel, offset: 4096, payload: output }));
    const received = decodeBinaryFrame(await console.nextBinary());
    expect(received.ok && received.value).toMatchObject({ type: 'output', channel: 9, offset: 4096 });
    expect(received.ok && Buffer.from(received.value.payload).equals(output)).toBe(true);

    const input = Buffer.from('ls -la\r\u00e9\u0003');
    console.sendBinary(encodeDataFrame({ type: 'input', channel: 9, offset: 0, payload: input }));
    const forwarded = decodeBinaryFrame(await agent.nextBinary());
    expect(forwarded.ok && forwarded.value).toMatchObject({ type: 'input', channel: agentChannel });
    expect(forwarded.ok && Buffer.from(forwarded.value.payload).equals(input)).toBe(true);

    console.send({ type: 'resize', channel: 9, cols: 120, rows: 40 });
    expect(await agent.next('resize')).toEqual({ type: 'resize', channel: agentChannel, cols: 120, rows: 40 });
    console.send({ type: 'ack', channel: 9, offset: 204_096 });
    expect(await agent.next('ack')).toEqual({ type: 'ack', channel: agentChannel, offset: 204_096 });

    console.send({ type: 'close', channel: 9 });
    expect(await agent.next('close')).toEqual({ type: 'close', channel: agentChannel });
    agent.send({ type: 'exit', channel: agentChannel, code: 3, signal: null, offset: 204_096 });
    expect(await console.next('exit')).toEqual({ type: 'exit', channel: 9, code: 3, signal: null, offset: 204_096 });
    expect(session(sessionId)).toMatchObject({
      exitCode: 3,
      exitSignal: null,
      endReason: null,
      bytesIn: input.byteLength,
      bytesOut: output.byteLength,
      endedAt: expect.any(Number),
    });
  });

  it('records why the agent ended a session', async () => {
    const console = await t.console(operatorToken);
    const { agentChannel, sessionId } = await openSession(console, agent, 'web-1', 1);
    const reason = { code: 'IDLE_TIMEOUT', message: 'idle for 30m' };
    agent.send({ type: 'exit', channel: agentChannel, code: null, signal: 'SIGHUP', offset: 0, reason });
    expect(await console.next('exit')).toMatchObject({ channel: 1, signal: 'SIGHUP', reason });
    expect(session(sessionId)).toMatchObject({ exitSignal: 'SIGHUP', endReason: 'IDLE_TIMEOUT' });
  });

  it('fans one broadcast frame out as one input frame per named channel', async () => {
    const console = await t.console(operatorToken);
    const channels = [1, 2, 3];
    const agentChannels = [];
    for (const channel of channels)
      agentChannels.push((await openSession(console, agent, 'web-1', channel)).agentChannel);
    const payload = Buffer.from('uptime\r');
    console.sendBinary(encodeBroadcastFrame({ type: 'broadcast', channels, payload }));
    const got = [];
    for (let i = 0; i < 3; i++) {
      const frame = decodeBinaryFrame(await agent.nextBinary());
      if (!frame.ok || frame.value.type !== 'input') throw new Error('expected an input frame');
      expect(Buffer.from(frame.value.payload).equals(payload)).toBe(true);
      got.push(frame.value.channel);
    }
    expect(got.sort()).toEqual([...agentChannels].sort());
  });

  it('reports unknown channels of a broadcast once and still feeds the known ones', async () => {
    const console = await t.console(operatorToken);
    const { agentChannel } = await openSession(console, agent, 'web-1', 1);
    console.sendBinary(encodeBroadcastFrame({ type: 'broadcast', channels: [1, 50, 51], payload: Buffer.from('x') }));
    const error = await console.next<{ type: 'error'; message: string }>('error');
    expect(error).toMatchObject({ code: 'UNKNOWN_CHANNEL' });
    expect(error.message).toContain('50, 51');
    const frame = decodeBinaryFrame(await agent.nextBinary());
    expect(frame.ok && frame.value).toMatchObject({ type: 'input', channel: agentChannel });
    expect(console.pending()).toEqual([]);
  });
});

describe('link drops', () => {
  it('a console that drops detaches its sessions on the agent, which stay open for resume', async () => {
    const console = await t.console(operatorToken);
    const { agentChannel, sessionId } = await openSession(console, agent, 'web-1', 4);
    console.close();
    expect(await agent.next('detach')).toEqual({ type: 'detach', channel: agentChannel });
    expect(session(sessionId)?.endedAt).toBeNull();
  });

  it('an agent that drops releases its console channels as resumable and goes offline', async () => {
    const console = await t.console(operatorToken);
    await openSession(console, agent, 'web-1', 4);
    agent.close();
    expect(await console.next('closed')).toEqual({
      type: 'closed',
      channel: 4,
      code: 'AGENT_DISCONNECTED',
      message: expect.any(String),
      resumable: true,
    });
    expect(t.store.listMachines()[0]).toMatchObject({ online: false, lastSeen: expect.any(String) });
  });

  it('a detached session that ends on the agent is recorded as ended at once', async () => {
    const console = await t.console(operatorToken);
    const { sessionId } = await openSession(console, agent, 'web-1', 4);
    console.close();
    await agent.next('detach');
    agent.send({
      type: 'ended',
      sessionId,
      code: null,
      signal: 'SIGHUP',
      reason: { code: 'IDLE_TIMEOUT', message: 'idle' },
      offset: 9,
    });
    await expect.poll(() => session(sessionId)?.endReason).toBe('IDLE_TIMEOUT');
  });

  it('an agent cannot end a session of another machine', async () => {
    const console = await t.console(operatorToken);
    const { sessionId } = await openSession(console, agent, 'web-1', 4);
    const other = await t.agent((await t.enroll('web-2')).identity);
    other.send({ type: 'ended', sessionId, code: 0, signal: null, offset: 0 });
    expect(await other.next('error')).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    expect(session(sessionId)?.endedAt).toBeNull();
  });

  it('an open still pending when the agent drops is refused with AGENT_DISCONNECTED', async () => {
    const console = await t.console(operatorToken);
    console.send({ type: 'open', channel: 2, machine: 'web-1', cols: 80, rows: 24 });
    await agent.next('open');
    agent.close();
    expect(await console.next('error')).toMatchObject({ channel: 2, code: 'AGENT_DISCONNECTED' });
  });

  it('an open still pending when the console drops is closed on the agent: nobody could resume it', async () => {
    const console = await t.console(operatorToken);
    console.send({ type: 'open', channel: 2, machine: 'web-1', cols: 80, rows: 24 });
    const open = await agent.next('open');
    console.close();
    expect(await agent.next('close')).toEqual({ type: 'close', channel: open.channel });
    agent.send({ type: 'opened', channel: open.channel, sessionId: open.sessionId, loginUser: 'alice', offset: 0 });
    agent.send({ type: 'exit', channel: open.channel, code: null, signal: 'SIGHUP', offset: 0 });
    await expect.poll(() => session(open.sessionId as string)?.endedAt).not.toBeNull();
  });
});

describe('attach', () => {
  it('re-attaches a detached session from an offset, on a new link', async () => {
    const first = await t.console(operatorToken);
    const { sessionId } = await openSession(first, agent, 'web-1', 1);
    first.close();
    await agent.next('detach');
    const second = await t.console(operatorToken);
    second.send({ type: 'attach', channel: 5, sessionId, offset: 1000 });
    const attach = await agent.next('attach');
    expect(attach).toMatchObject({ sessionId, operator: 'alice', offset: 1000 });
    const lost = { from: 1000, to: 1500 };
    agent.send({ type: 'opened', channel: attach.channel, sessionId, loginUser: 'alice', offset: 1500, lost });
    expect(await second.next('opened')).toMatchObject({ channel: 5, sessionId, machine: 'web-1', offset: 1500, lost });
  });

  it('of a session still attached elsewhere takes it over: the old channel is closed, not resumable', async () => {
    const first = await t.console(operatorToken);
    const { sessionId, agentChannel } = await openSession(first, agent, 'web-1', 1);
    const second = await t.console(operatorToken);
    second.send({ type: 'attach', channel: 2, sessionId, offset: 0 });
    expect(await first.next('closed')).toMatchObject({ channel: 1, code: 'SESSION_TAKEN_OVER', resumable: false });
    expect(await agent.next('detach')).toEqual({ type: 'detach', channel: agentChannel });
    const attach = await agent.next('attach');
    agent.send({ type: 'opened', channel: attach.channel, sessionId, loginUser: 'alice', offset: 0 });
    expect(await second.next('opened')).toMatchObject({ channel: 2, sessionId });
  });

  it('is refused to an auditor, and for an ended session', async () => {
    const console = await t.console(operatorToken);
    const { sessionId, agentChannel } = await openSession(console, agent, 'web-1', 1);
    const auditor = await t.console(t.apiToken('auditor', 'alice'));
    auditor.send({ type: 'attach', channel: 1, sessionId, offset: 0 });
    expect(await auditor.next('error')).toMatchObject({ code: 'FORBIDDEN', channel: 1 });
    agent.send({ type: 'exit', channel: agentChannel, code: 0, signal: null, offset: 0 });
    await console.next('exit');
    console.send({ type: 'attach', channel: 2, sessionId, offset: 0 });
    expect(await console.next('error')).toMatchObject({ code: 'SESSION_NOT_FOUND', channel: 2 });
  });

  it('an exit that crossed a detach still ends the session', async () => {
    const console = await t.console(operatorToken);
    const { sessionId, agentChannel } = await openSession(console, agent, 'web-1', 1);
    console.send({ type: 'detach', channel: 1 });
    await agent.next('detach');
    agent.send({ type: 'exit', channel: agentChannel, code: 0, signal: null, offset: 0 });
    await expect.poll(() => session(sessionId)?.exitCode).toBe(0);
    expect(agent.pending()).toEqual([]);
  });

  it('of another operator’s session is refused with SESSION_NOT_YOURS', async () => {
    const console = await t.console(operatorToken);
    const { sessionId } = await openSession(console, agent, 'web-1', 1);
    const other = await t.console(t.apiToken('operator', 'bob'));
    other.send({ type: 'attach', channel: 1, sessionId, offset: 0 });
    expect(await other.next('error')).toMatchObject({ code: 'SESSION_NOT_YOURS', channel: 1 });
  });

  it('while the machine is offline is refused with MACHINE_OFFLINE', async () => {
    const console = await t.console(operatorToken);
    const { sessionId } = await openSession(console, agent, 'web-1', 1);
    agent.close();
    await console.next('closed');
    console.send({ type: 'attach', channel: 2, sessionId, offset: 0 });
    expect(await console.next('error')).toMatchObject({ code: 'MACHINE_OFFLINE', channel: 2 });
  });

  it('of a session the agent no longer holds gets its SESSION_NOT_FOUND, and the session ends', async () => {
    const console = await t.console(operatorToken);
    const { sessionId } = await openSession(console, agent, 'web-1', 1);
    console.send({ type: 'detach', channel: 1 });
    await agent.next('detach');
    console.send({ type: 'attach', channel: 1, sessionId, offset: 0 });
    const attach = await agent.next('attach');
    agent.send({ type: 'error', channel: attach.channel, code: 'SESSION_NOT_FOUND', message: 'gone' });
    expect(await console.next('error')).toMatchObject({ code: 'SESSION_NOT_FOUND', channel: 1 });
    expect(session(sessionId)).toMatchObject({ endReason: 'RESUME_EXPIRED', endedAt: expect.any(Number) });
  });
});

describe('agent hello', () => {
  it('ends the open sessions it does not list and keeps the ones it does', async () => {
    const console = await t.console(operatorToken);
    const kept = await openSession(console, agent, 'web-1', 1);
    const lost = await openSession(console, agent, 'web-1', 2);
    agent.close();
    await console.next('closed');
    await console.next('closed');
    // The agent comes back still holding one of the two sessions.
    await t.agent(identity, [{ sessionId: kept.sessionId, operator: 'alice', offset: 10 }]);
    expect(session(kept.sessionId)?.endedAt).toBeNull();
    expect(session(lost.sessionId)).toMatchObject({ endReason: 'RESUME_EXPIRED' });
    expect(t.store.listMachines()[0]).toMatchObject({ online: true, sessions: 1 });
  });
});
