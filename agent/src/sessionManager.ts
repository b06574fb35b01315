import type { Logger } from 'pino';
import { formatDuration } from '../../common/duration';
import {
  encodeDataFrame,
  type AgentAttach,
  type AgentOpen,
  type AgentToBroker,
  type ErrorCode,
  type Hello,
} from '../../common/protocol';
import { admit } from './admission';
import type { AgentConfig } from './config';
import { KILL_GRACE_MS, remainingSessions, signalProcessGroup } from './processGroup';
import { PtySession, type EndReason, type SessionEnd } from './ptySession';
import { prepareLaunch } from './shellLaunch';

/** How the manager talks to the broker; absent while the link is down. */
export interface Transport {
  send(message: AgentToBroker): void;
  sendBinary(frame: Uint8Array): void;
}

export interface SessionManagerOptions {
  config: AgentConfig;
  /** The enrolled machine's name, for FLEETTERM_MACHINE. */
  machineName: string;
  log: Logger;
}

export type LiveSession = NonNullable<Hello['agent']>['sessions'][number];

/** The hello's session list holds at most this many (its schema's bound). */
const MAX_HELLO_SESSIONS = 1024;
/** Timeouts are checked four times per shortest period, within these bounds. */
const SWEEP_MIN_MS = 50;
const SWEEP_MAX_MS = 1000;
/** Shutdown polls /proc this often for the killed processes to be gone (no event announces it). */
const SHUTDOWN_POLL_MS = 20;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The agent's sessions and the channels the broker binds them to: limits,
 * login users, idle and lifetime timeouts, and the resume grace period of
 * sessions whose console went away. A session whose process ended while no
 * console was attached is kept (with its last output) until the grace
 * period ends, so a console that comes back sees the end and the exit code;
 * then the broker is told with `ended`.
 */
export class SessionManager {
  private readonly sessions = new Map<string, PtySession>();
  private readonly channelOf = new Map<string, number>();
  private readonly sessionOnChannel = new Map<number, string>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private transport: Transport | undefined;
  /** Set by shutdown: no session starts or is re-attached any more. */
  private closing = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: SessionManagerOptions) {
    const { idleTimeoutMs, maxSessionLifetimeMs } = options.config;
    const shortest = Math.min(...[idleTimeoutMs, maxSessionLifetimeMs].filter((ms) => ms > 0), 4 * SWEEP_MAX_MS);
    this.sweeper = setInterval(() => this.sweep(), Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, shortest / 4)));
    this.sweeper.unref();
  }

  get config(): AgentConfig {
    return this.options.config;
  }

  /** Sessions the broker should know about (running, or ended and not yet seen): listed in every hello. */
  liveSessions(): LiveSession[] {
    return [...this.sessions.values()]
      .slice(0, MAX_HELLO_SESSIONS)
      .map((s) => ({ sessionId: s.sessionId, operator: s.operator, offset: s.offset }));
  }

  /** A session by id, for tests and diagnostics. */
  session(sessionId: string): PtySession | undefined {
    return this.sessions.get(sessionId);
  }

  /** The link is up (after its welcome) or down; every channel dies with its link. */
  setTransport(transport: Transport | undefined): void {
    this.transport = transport;
    if (transport !== undefined) return;
    for (const sessionId of [...this.channelOf.keys()]) this.unbind(sessionId);
  }

  open(message: AgentOpen): void {
    const { log } = this.options;
    if (this.closing) return this.refuseShutdown(message.channel);
    if (this.sessionOnChannel.has(message.channel)) {
      return this.refuse(message.channel, 'CHANNEL_IN_USE', `channel ${message.channel} is already open`);
    }
    if (this.sessions.has(message.sessionId)) {
      return this.refuse(message.channel, 'BAD_MESSAGE', `session ${message.sessionId} already exists on this machine`);
    }
    const runningOperators = [...this.sessions.values()].filter((s) => s.running).map((s) => s.operator);
    const admitted = admit(message, { config: this.config, runningOperators });
    const launch = admitted.ok
      ? prepareLaunch(admitted.value, {
          machineName: this.options.machineName,
          sessionId: message.sessionId,
          operator: message.operator,
          shellOverride: this.config.shell,
        })
      : admitted;
    const spawned = launch.ok
      ? PtySession.spawn({
          ...launch.value,
          sessionId: message.sessionId,
          operator: message.operator,
          mode: message.mode,
          ...(message.command !== undefined ? { command: message.command } : {}),
          cols: message.cols,
          rows: message.rows,
          replayBufferBytes: this.config.replayBufferBytes,
        })
      : launch;
    if (!spawned.ok) {
      log.info(
        { sessionId: message.sessionId, operator: message.operator, code: spawned.error.code },
        'session refused',
      );
      return this.refuse(message.channel, spawned.error.code, spawned.error.message);
    }
    const session = spawned.value;
    this.sessions.set(session.sessionId, session);
    session.onEnd((end) => this.onSessionEnd(session, end));
    log.info(
      {
        sessionId: session.sessionId,
        operator: session.operator,
        loginUser: session.loginUser,
        mode: message.mode,
        pid: session.pid,
      },
      'session opened',
    );
    this.bind(session, message.channel, 0);
  }

  attach(message: AgentAttach): void {
    if (this.closing) return this.refuseShutdown(message.channel);
    if (this.sessionOnChannel.has(message.channel)) {
      return this.refuse(message.channel, 'CHANNEL_IN_USE', `channel ${message.channel} is already open`);
    }
    const session = this.sessions.get(message.sessionId);
    if (!session) {
      return this.refuse(
        message.channel,
        'SESSION_NOT_FOUND',
        `session ${message.sessionId} is not on this machine (it ended, or its resume grace period passed)`,
      );
    }
    if (session.operator !== message.operator) {
      return this.refuse(
        message.channel,
        'SESSION_NOT_YOURS',
        `session ${message.sessionId} belongs to another operator`,
      );
    }
    // The newest attach wins (the broker detaches the old channel first; this covers a crossing).
    this.unbind(session.sessionId, false);
    this.bind(session, message.channel, message.offset);
    this.options.log.info({ sessionId: session.sessionId, offset: message.offset }, 'session attached');
    // A session that ended while detached ends for good once its console has seen the end.
    if (session.exit) this.finish(session, session.exit);
  }

  input(channel: number, payload: Uint8Array): boolean {
    const session = this.onChannel(channel);
    session?.write(payload);
    return session !== undefined;
  }

  resize(channel: number, cols: number, rows: number): boolean {
    const session = this.onChannel(channel);
    session?.resize(cols, rows);
    return session !== undefined;
  }

  ack(channel: number, offset: number): boolean {
    const session = this.onChannel(channel);
    session?.ack(offset);
    return session !== undefined;
  }

  close(channel: number): boolean {
    const session = this.onChannel(channel);
    if (!session) return false;
    if (session.exit) this.finish(session, session.exit);
    else session.terminate();
    return true;
  }

  detach(channel: number): boolean {
    const sessionId = this.sessionOnChannel.get(channel);
    if (sessionId !== undefined) this.unbind(sessionId);
    return sessionId !== undefined;
  }

  /**
   * Ends every session (agent shutdown): their consoles get an exit with
   * AGENT_SHUTDOWN, and opens and attaches from now on are refused. The
   * shells get their hang-up; once they are gone (or after the grace period)
   * whatever remains of their groups and sessions (a `nohup` job, say) is
   * killed, since the agent's exit would leave it running. Resolves when the
   * processes are gone, or after `timeoutMs`.
   */
  async shutdown(timeoutMs = 3000): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const deadline = Date.now() + timeoutMs;
    const pids = [...this.sessions.values()].map((s) => s.pid);
    // Nobody will re-attach: detached sessions end like the others and are reported with `ended`.
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
    for (const session of [...this.sessions.values()]) if (session.exit) this.finish(session, session.exit);
    const reason: EndReason = { code: 'AGENT_SHUTDOWN', message: 'the agent is shutting down' };
    const running = [...this.sessions.values()].filter((s) => s.running);
    const ended = running.map((s) => new Promise<void>((resolve) => s.onEnd(() => resolve())));
    for (const session of running) session.terminate(reason);
    let timer: NodeJS.Timeout | undefined;
    const grace = Math.min(KILL_GRACE_MS, timeoutMs);
    await Promise.race([Promise.all(ended), new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
    clearTimeout(timer);
    if (process.platform === 'win32') return;
    // One pass over /proc per look for all sessions (a pass per session made shutdown quadratic).
    let remaining = remainingSessions(pids);
    for (const [pid, members] of remaining) signalProcessGroup(pid, 'SIGKILL', members);
    while (remaining.size > 0 && Date.now() < deadline) {
      await delay(SHUTDOWN_POLL_MS);
      remaining = remainingSessions([...remaining.keys()]);
    }
  }

  /** Binds a channel: `opened` first, then the replay from `offset`, then live output. */
  private bind(session: PtySession, channel: number, offset: number): void {
    clearTimeout(this.graceTimers.get(session.sessionId));
    this.graceTimers.delete(session.sessionId);
    this.channelOf.set(session.sessionId, channel);
    this.sessionOnChannel.set(channel, session.sessionId);
    const replay: Uint8Array[] = [];
    let live = false;
    const start = session.attach((at, chunk) => {
      const frame = encodeDataFrame({ type: 'output', channel, offset: at, payload: chunk });
      if (live) this.transport?.sendBinary(frame);
      else replay.push(frame);
    }, offset);
    this.send({ type: 'opened', channel, sessionId: session.sessionId, loginUser: session.loginUser, ...start });
    live = true;
    for (const frame of replay) this.transport?.sendBinary(frame);
  }

  /** Releases a session's channel; the session waits for the grace period to be re-attached. */
  private unbind(sessionId: string, startGrace = true): void {
    const channel = this.channelOf.get(sessionId);
    if (channel === undefined) return;
    this.channelOf.delete(sessionId);
    this.sessionOnChannel.delete(channel);
    const session = this.sessions.get(sessionId);
    if (!session) return;
    session.detach();
    if (!startGrace) return;
    const grace = this.config.resumeGraceMs;
    this.graceTimers.set(
      sessionId,
      setTimeout(() => {
        this.graceTimers.delete(sessionId);
        if (session.exit) return this.finish(session, session.exit);
        session.terminate({
          code: 'RESUME_EXPIRED',
          message: `nobody re-attached within ${formatDuration(grace)} (resume_grace)`,
        });
      }, grace),
    );
    this.options.log.info({ sessionId, graceMs: grace }, 'session detached');
  }

  private onSessionEnd(session: PtySession, end: SessionEnd): void {
    this.options.log.info(
      { sessionId: session.sessionId, code: end.code, signal: end.signal, reason: end.reason?.code, bytes: end.offset },
      'session ended',
    );
    // Detached and still within its grace period: keep it for its console to come back to.
    if (!this.channelOf.has(session.sessionId) && this.graceTimers.has(session.sessionId)) return;
    this.finish(session, end);
  }

  /** The end of a session: `exit` to its console, or `ended` when none is attached. */
  private finish(session: PtySession, end: SessionEnd): void {
    const channel = this.channelOf.get(session.sessionId);
    clearTimeout(this.graceTimers.get(session.sessionId));
    this.graceTimers.delete(session.sessionId);
    this.sessions.delete(session.sessionId);
    if (channel !== undefined) {
      this.channelOf.delete(session.sessionId);
      this.sessionOnChannel.delete(channel);
      this.send({ type: 'exit', channel, ...end });
    } else {
      this.send({ type: 'ended', sessionId: session.sessionId, ...end });
    }
  }

  private sweep(): void {
    const { idleTimeoutMs, maxSessionLifetimeMs } = this.config;
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (!session.running) continue;
      if (maxSessionLifetimeMs > 0 && now - session.startedAt >= maxSessionLifetimeMs) {
        session.terminate({
          code: 'MAX_LIFETIME',
          message: `the session reached its maximum lifetime of ${formatDuration(maxSessionLifetimeMs)} (max_session_lifetime)`,
        });
      } else if (idleTimeoutMs > 0 && session.idleMs >= idleTimeoutMs) {
        session.terminate({
          code: 'IDLE_TIMEOUT',
          message: `the session was idle for ${formatDuration(idleTimeoutMs)} (idle_timeout)`,
        });
      }
    }
  }

  private onChannel(channel: number): PtySession | undefined {
    const sessionId = this.sessionOnChannel.get(channel);
    return sessionId === undefined ? undefined : this.sessions.get(sessionId);
  }

  private refuseShutdown(channel: number): void {
    this.refuse(channel, 'AGENT_SHUTDOWN', 'the agent is shutting down; try again once it is back');
  }

  private refuse(channel: number, code: ErrorCode, message: string): void {
    this.send({ type: 'error', code, message, channel });
  }

  private send(message: AgentToBroker): void {
    this.transport?.send(message);
  }
}
