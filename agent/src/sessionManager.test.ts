import { afterEach, describe, expect, it } from 'vitest';
import type { AgentOpen } from '../../common/protocol';
import { DEFAULT_CONFIG, MIN_REPLAY_BUFFER_BYTES, type AgentConfig } from './config';
import { agentUser, canSwitchUser } from './loginUser';
import { SessionManager } from './sessionManager';
import { LogCapture } from './testing/logCapture';
import { RecordingTransport } from './testing/recordingTransport';
import { isGone } from './testing/waitFor';

const managers: SessionManager[] = [];
let sessionCounter = 0;

function setup(config: Partial<AgentConfig> = {}) {
  const log = new LogCapture();
  const manager = new SessionManager({
    config: { ...DEFAULT_CONFIG, ...config },
    machineName: 'web-1',
    log: log.logger,
  });
  const transport = new RecordingTransport();
  manager.setTransport(transport);
  managers.push(manager);
  return { manager, transport, log };
}

function open(channel: number, fields: Partial<AgentOpen> = {}): AgentOpen {
  return {
    type: 'open',
    channel,
    sessionId: `session-${process.pid}-${++sessionCounter}`,
    operator: 'alice',
    mode: 'exec',
    command: 'true',
    cols: 80,
    rows: 24,
    ...fields,
  };
}

const input = (text: string) => Buffer.from(text, 'utf8');

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.shutdown(3000)));
});

describe('SessionManager', () => {
  it('opens a session: opened at offset 0, the output, then the exit after the last byte', async () => {
    const { manager, transport } = setup();
    const request = open(7, { command: 'echo one; echo two' });
    manager.open(request);
    expect(await transport.next('opened')).toEqual({
      type: 'opened',
      channel: 7,
      sessionId: request.sessionId,
      loginUser: agentUser(),
      offset: 0,
      inputOffset: 0,
    });
    const exit = await transport.next('exit');
    expect(exit).toEqual({ type: 'exit', channel: 7, code: 0, signal: null, offset: 10 });
    expect(transport.output(7).toString()).toBe('one\r\ntwo\r\n');
    expect(transport.outputStart(7)).toBe(0);
    expect(transport.events.lastIndexOf('output:7')).toBeLessThan(transport.events.indexOf('message:exit'));
  });

  it('starts the shell with TERM, the Fleetterm variables and nothing else of the agent’s environment', async () => {
    const { manager, transport } = setup();
    process.env.FLEETTERM_AGENT_SECRET_FOR_TEST = 'must-not-leak';
    const request = open(1, { command: 'env' });
    manager.open(request);
    await transport.next('exit');
    delete process.env.FLEETTERM_AGENT_SECRET_FOR_TEST;
    const env = transport.output(1).toString();
    expect(env).toContain('TERM=xterm-256color\r\n');
    expect(env).toContain('FLEETTERM_MACHINE=web-1\r\n');
    expect(env).toContain(`FLEETTERM_SESSION=${request.sessionId}\r\n`);
    expect(env).toContain('FLEETTERM_OPERATOR=alice\r\n');
    expect(env).toContain(`USER=${agentUser()}\r\n`);
    expect(env).not.toContain('FLEETTERM_AGENT_SECRET_FOR_TEST');
  });

  it('writes input frames to the shell and resizes it', async () => {
    const { manager, transport } = setup();
    manager.open(open(2, { mode: 'shell', command: undefined }));
    await transport.next('opened');
    expect(manager.resize(2, 100, 30)).toBe(true);
    expect(manager.input(2, input('echo size=$(stty size) $((6*7))\r'))).toBe(true);
    await transport.waitForOutput(2, 'size=30 100 42');
    manager.input(2, input('exit 5\r'));
    expect(await transport.next('exit')).toMatchObject({ channel: 2, code: 5 });
  });

  it('refuses the n+1th shell with LIMIT_TOTAL_SHELLS, naming max_shells', async () => {
    const { manager, transport } = setup({ maxShells: 2 });
    manager.open(open(1, { command: 'sleep 100', operator: 'alice' }));
    manager.open(open(2, { command: 'sleep 100', operator: 'bob' }));
    manager.open(open(3, { command: 'sleep 100', operator: 'carol' }));
    expect(await transport.next('error')).toEqual({
      type: 'error',
      code: 'LIMIT_TOTAL_SHELLS',
      channel: 3,
      message: 'this machine already runs 2 shells, its limit (max_shells = 2); close one first',
    });
    expect(transport.messages.filter((m) => m.type === 'opened')).toHaveLength(2);
  });

  it('refuses an operator’s n+1th shell with LIMIT_OPERATOR_SHELLS, and frees the slot when one ends', async () => {
    const { manager, transport } = setup({ maxShellsPerOperator: 1 });
    manager.open(open(1, { command: 'sleep 100' }));
    manager.open(open(2, { command: 'sleep 100' }));
    expect(await transport.next('error')).toMatchObject({
      code: 'LIMIT_OPERATOR_SHELLS',
      channel: 2,
      message: expect.stringContaining('max_shells_per_operator = 1'),
    });
    manager.close(1);
    await transport.next('exit', (m) => m.channel === 1);
    manager.open(open(3, { command: 'true' }));
    expect(await transport.next('opened', (m) => m.channel === 3)).toMatchObject({ offset: 0 });
  });

  it('refuses every open with REMOTE_SHELL_DISABLED when remote_shell is false', async () => {
    const { manager, transport } = setup({ remoteShell: false });
    manager.open(open(4));
    expect(await transport.next('error')).toMatchObject({ code: 'REMOTE_SHELL_DISABLED', channel: 4 });
  });

  it('refuses a login user that is not allowed', async () => {
    const { manager, transport } = setup();
    manager.open(open(1, { loginUser: 'daemon' }));
    expect(await transport.next('error')).toMatchObject({
      code: 'LOGIN_USER_NOT_ALLOWED',
      channel: 1,
      message: expect.stringContaining('login_users'),
    });
  });

  it.runIf(canSwitchUser())(
    'as root, refuses an unknown login user and starts a listed one as that user, with its groups',
    async () => {
      const { manager, transport } = setup({
        loginUsers: [agentUser(), 'nobody', 'no-such-user-xyz'],
        shell: '/bin/sh',
      });
      manager.open(open(1, { loginUser: 'no-such-user-xyz' }));
      expect(await transport.next('error')).toMatchObject({ code: 'LOGIN_USER_UNKNOWN', channel: 1 });
      manager.open(open(2, { loginUser: 'nobody', command: 'echo "$(id -u) [$(id -G)] $HOME $USER"; pwd' }));
      expect(await transport.next('opened', (m) => m.channel === 2)).toMatchObject({ loginUser: 'nobody' });
      await transport.next('exit', (m) => m.channel === 2);
      expect(transport.output(2).toString()).toBe('65534 [65534] /nonexistent nobody\r\n/\r\n');
    },
  );

  it('ends a session idle (no input, no output) for idle_timeout with IDLE_TIMEOUT', async () => {
    const { manager, transport } = setup({ idleTimeoutMs: 300 });
    const started = Date.now();
    manager.open(open(1, { command: 'sleep 100' }));
    const exit = await transport.next('exit');
    expect(exit).toMatchObject({ channel: 1, code: null, signal: 'SIGHUP', reason: { code: 'IDLE_TIMEOUT' } });
    expect(exit.reason?.message).toContain('idle_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('does not end a session whose output keeps flowing, but ends it at max_session_lifetime', async () => {
    const { manager, transport } = setup({ idleTimeoutMs: 300, maxSessionLifetimeMs: 900 });
    manager.open(open(1, { command: 'while true; do echo tick; sleep 0.05; done' }));
    const exit = await transport.next('exit');
    expect(exit).toMatchObject({ reason: { code: 'MAX_LIFETIME' } });
    expect(exit.reason?.message).toContain('max_session_lifetime');
  });

  it('keeps a detached session running and replays it to an attach from an offset', async () => {
    const { manager, transport } = setup();
    const request = open(1, { command: 'echo first; read line; echo "second $line"' });
    manager.open(request);
    await transport.waitForOutput(1, 'first\r\n');
    expect(manager.detach(1)).toBe(true);
    expect(manager.input(1, input('ignored'))).toBe(false);
    manager.attach({ type: 'attach', channel: 9, sessionId: request.sessionId, operator: 'alice', offset: 2 });
    // Input sent to a detached channel never arrived: the count tells the console to send it again.
    expect(await transport.next('opened', (m) => m.channel === 9)).toMatchObject({ offset: 2, inputOffset: 0 });
    expect(transport.output(9).toString()).toBe('rst\r\n');
    manager.input(9, input('again\r'));
    expect(await transport.next('exit')).toMatchObject({ channel: 9, code: 0 });
    expect(transport.output(9).toString()).toBe('rst\r\nagain\r\nsecond again\r\n');
    expect(transport.gap(9)).toBeUndefined();
  });

  it('gives no shell a descriptor of another session’s terminal', async () => {
    // node-pty before 1.2 left PTY masters inheritable (node-pty #657): a later shell, even
    // one running as another user, could read and type into every other live session.
    const { manager, transport } = setup();
    manager.open(open(1, { command: 'sleep 30', mode: 'exec' }));
    await transport.next('opened', (m) => m.channel === 1);
    manager.open(open(2, { command: 'ls -l /proc/$$/fd; echo END', mode: 'exec' }));
    await transport.next('exit', (m) => m.channel === 2);
    const listing = transport.output(2).toString();
    expect(listing).toContain('END');
    expect(listing).not.toContain('ptmx');
    manager.close(1);
  });

  it('counts the input it received, for the console to send the rest again after a re-attach', async () => {
    const { manager, transport } = setup();
    const request = open(1, { command: 'cat' });
    manager.open(request);
    await transport.next('opened');
    manager.input(1, input('abc'));
    await transport.waitForOutput(1, 'abc');
    manager.detach(1);
    manager.attach({ type: 'attach', channel: 2, sessionId: request.sessionId, operator: 'alice', offset: 0 });
    expect(await transport.next('opened', (m) => m.channel === 2)).toMatchObject({ inputOffset: 3 });
    manager.close(2);
    await transport.next('exit');
  });

  it('refuses an attach by another operator, or to a session it does not hold', async () => {
    const { manager, transport } = setup();
    const request = open(1, { command: 'sleep 100' });
    manager.open(request);
    await transport.next('opened');
    manager.detach(1);
    manager.attach({ type: 'attach', channel: 2, sessionId: request.sessionId, operator: 'mallory', offset: 0 });
    expect(await transport.next('error', (m) => m.channel === 2)).toMatchObject({ code: 'SESSION_NOT_YOURS' });
    manager.attach({ type: 'attach', channel: 3, sessionId: 'no-such-session', operator: 'alice', offset: 0 });
    expect(await transport.next('error', (m) => m.channel === 3)).toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });

  it('says which bytes are lost when the replay buffer no longer holds the offset asked for', async () => {
    const { manager, transport } = setup({ replayBufferBytes: MIN_REPLAY_BUFFER_BYTES });
    const total = 3 * MIN_REPLAY_BUFFER_BYTES;
    const request = open(1, { command: `head -c ${total} /dev/zero | tr '\\0' a; read x` });
    manager.open(request);
    // The console consumes everything as it comes.
    const acking = setInterval(() => manager.ack(1, transport.outputBytes(1)), 5);
    await transport.until(() => transport.outputBytes(1) === total, 'the whole output');
    clearInterval(acking);
    manager.ack(1, total);
    manager.detach(1);
    manager.attach({ type: 'attach', channel: 2, sessionId: request.sessionId, operator: 'alice', offset: 0 });
    const opened = await transport.next('opened', (m) => m.channel === 2);
    const kept = total - MIN_REPLAY_BUFFER_BYTES;
    expect(opened).toMatchObject({ offset: kept, lost: { from: 0, to: kept } });
    expect(transport.outputBytes(2)).toBe(MIN_REPLAY_BUFFER_BYTES);
    expect(transport.outputStart(2)).toBe(kept);
  });

  it('ends a detached session nobody re-attaches within resume_grace (RESUME_EXPIRED), reported with ended', async () => {
    const { manager, transport } = setup({ resumeGraceMs: 300 });
    const request = open(1, { command: 'sleep 100' });
    manager.open(request);
    await transport.next('opened');
    manager.detach(1);
    expect(await transport.next('ended')).toMatchObject({
      sessionId: request.sessionId,
      signal: 'SIGHUP',
      reason: { code: 'RESUME_EXPIRED' },
    });
    expect(manager.liveSessions()).toEqual([]);
  });

  it('keeps a session that ended while detached, so the console that returns sees its end', async () => {
    const { manager, transport } = setup();
    const request = open(1, { command: 'read x; echo "late $x"; exit 4' });
    manager.open(request);
    await transport.next('opened');
    manager.input(1, input('news'));
    manager.detach(1);
    const session = manager.session(request.sessionId)!;
    const ended = new Promise((resolve) => session.onEnd(resolve));
    manager.session(request.sessionId)!.write(input('\r'));
    await ended;
    expect(manager.liveSessions()).toEqual([{ sessionId: request.sessionId, operator: 'alice', offset: 17 }]);
    manager.attach({ type: 'attach', channel: 2, sessionId: request.sessionId, operator: 'alice', offset: 4 });
    expect(await transport.next('exit', (m) => m.channel === 2)).toMatchObject({ code: 4, offset: 17 });
    expect(transport.output(2).toString()).toBe('\r\nlate news\r\n');
    const events = transport.events.slice(transport.events.lastIndexOf('message:opened'));
    expect(events[0]).toBe('message:opened');
    expect(events.at(-1)).toBe('message:exit');
    expect(new Set(events.slice(1, -1))).toEqual(new Set(['output:2']));
    expect(manager.liveSessions()).toEqual([]);
  });

  it('detaches every session when the link drops, and lists them for the next hello', async () => {
    const { manager, transport } = setup();
    const request = open(1, { command: 'sleep 100' });
    manager.open(request);
    await transport.next('opened');
    manager.setTransport(undefined);
    expect(manager.input(1, input('x'))).toBe(false);
    expect(manager.liveSessions()).toEqual([{ sessionId: request.sessionId, operator: 'alice', offset: 0 }]);
    const again = new RecordingTransport();
    manager.setTransport(again);
    manager.attach({ type: 'attach', channel: 5, sessionId: request.sessionId, operator: 'alice', offset: 0 });
    expect(await again.next('opened')).toMatchObject({ channel: 5, offset: 0 });
  });

  it('refuses an open on a channel already in use', async () => {
    const { manager, transport } = setup();
    manager.open(open(1, { command: 'sleep 100' }));
    manager.open(open(1, { command: 'sleep 100' }));
    expect(await transport.next('error')).toMatchObject({ code: 'CHANNEL_IN_USE', channel: 1 });
  });

  it('ends every session on shutdown with AGENT_SHUTDOWN: exit for attached ones, ended for detached ones', async () => {
    const { manager, transport } = setup();
    const attached = open(1, { command: 'sleep 100' });
    const detached = open(2, { command: 'sleep 100' });
    manager.open(attached);
    manager.open(detached);
    await transport.next('opened', (m) => m.channel === 2);
    manager.detach(2);
    await manager.shutdown();
    expect(await transport.next('exit')).toMatchObject({ channel: 1, reason: { code: 'AGENT_SHUTDOWN' } });
    expect(await transport.next('ended')).toMatchObject({
      sessionId: detached.sessionId,
      reason: { code: 'AGENT_SHUTDOWN' },
    });
  });
});

describe('SessionManager shutdown', () => {
  it('kills what ignored the hang-up (a nohup job) before it resolves', async () => {
    const { manager, transport } = setup();
    manager.open(open(1, { command: 'nohup sleep 4343 >/dev/null 2>&1 & echo bg=$!; wait' }));
    await transport.waitForOutput(1, '\n');
    const job = Number(/bg=(\d+)/.exec(transport.output(1).toString())![1]);
    expect(isGone(job)).toBe(false);
    await manager.shutdown();
    expect(isGone(job)).toBe(true);
    expect(await transport.next('exit')).toMatchObject({ channel: 1, reason: { code: 'AGENT_SHUTDOWN' } });
  });

  it('refuses opens and attaches that arrive during shutdown with AGENT_SHUTDOWN', async () => {
    const { manager, transport } = setup();
    const kept = open(1, { command: 'sleep 100' });
    manager.open(kept);
    await transport.next('opened', (m) => m.channel === 1);
    manager.detach(1);
    const stopping = manager.shutdown();
    manager.open(open(2, { command: 'echo too late' }));
    manager.attach({ type: 'attach', channel: 3, sessionId: kept.sessionId, operator: 'alice', offset: 0 });
    expect(await transport.next('error', (m) => m.channel === 2)).toMatchObject({ code: 'AGENT_SHUTDOWN' });
    expect(await transport.next('error', (m) => m.channel === 3)).toMatchObject({ code: 'AGENT_SHUTDOWN' });
    await stopping;
    expect(transport.messages.filter((m) => m.type === 'opened')).toHaveLength(1);
  });
});
