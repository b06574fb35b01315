import { LinkClosedError, ProtocolRefusal, type ConsoleLink, type TerminalChannel } from '../../common/client';
import type { Disposable } from '../../common/disposable';
import { formatDuration } from '../../common/duration';
import { defaultMessage, MAX_CHANNELS_PER_LINK } from '../../common/protocol';
import { linkFailure, type BrokerClient } from './brokerClient';
import { CliError, ExitCode } from './exitCodes';
import { createMachineOutput, type ExecOutputMode, type OutputLayout } from './execOutput';
import { execExitCode, formatJsonResults, formatSummary, type ExecResult } from './execSummary';
import { selectTargets, type TargetSelection } from './execTargets';
import { drained, type CliIo, type SignalSource } from './io';
import { createLimiter } from './limiter';
import type { MachineInfo } from './machines';
import { signalExitCode } from './signals';

export interface ExecOptions {
  selection: TargetSelection;
  /** The command line, run by the login user's shell with -c on each machine. */
  command: string;
  loginUser?: string;
  /** prefix: lines as they come, `name | line`; group: each machine's output whole when it ends; json: one document. */
  mode: ExecOutputMode;
  /** Close sessions still running after this long (reported as TIMEOUT). */
  timeoutMs?: number;
}

export interface ExecDeps {
  client: BrokerClient;
  io: CliIo;
  /** Ctrl-C and friends: close every session, report, exit 128+n. */
  signals?: SignalSource;
}

/** After a timeout or Ctrl-C we close each session and wait this long for its exit before letting go. */
const STOP_GRACE_MS = 5000;

/** PTY width when stdout is not a terminal: what most tools assume. */
const DEFAULT_COLS = 80;

/**
 * `fleetterm exec`: runs one command on every selected machine at once, over
 * one console link, and returns the process exit code (0 only if every
 * machine exited 0).
 */
export async function runExec(options: ExecOptions, deps: ExecDeps): Promise<number> {
  const { io } = deps;
  const { machines } = await deps.client.listMachines();
  const selected = selectTargets(machines, options.selection);
  if (!selected.ok) throw new CliError(ExitCode.REMOTE_FAILURE, selected.error);
  const targets = selected.value;

  const results = new Map<string, ExecResult>();
  for (const machine of targets.filter((m) => !m.online)) {
    results.set(machine.name, failed(machine.name, 'MACHINE_OFFLINE', defaultMessage('MACHINE_OFFLINE')));
  }
  const online = targets.filter((m) => m.online);
  const nameWidth = Math.max(...targets.map((m) => m.name.length));
  const layout: OutputLayout = {
    mode: options.mode,
    stdout: io.stdout,
    nameWidth,
    colour: Boolean(io.stdout.isTTY) && !io.env.NO_COLOR,
  };

  let interruptedBy: string | undefined;
  if (online.length > 0) {
    const link = deps.client.connect();
    const subscriptions: Disposable[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      await link.ready().catch((error: unknown) => {
        throw linkFailure(error, deps.client.settings);
      });
      subscriptions.push(link.onState((state) => noteLinkState(io, state)));
      const cols =
        io.stdout.isTTY && io.stdout.columns ? Math.max(20, io.stdout.columns - nameWidth - 3) : DEFAULT_COLS;
      // A link holds at most MAX_CHANNELS_PER_LINK channels: larger fleets run in waves.
      const slot = createLimiter(MAX_CHANNELS_PER_LINK);
      const tokenFor = (machine: string) => deps.client.terminalToken(machine, options.loginUser);
      const runs = online.map(
        (machine, index) => new MachineRun(link, machine, index, options, layout, cols, slot, tokenFor),
      );
      if (options.timeoutMs !== undefined) {
        const message = `still running after ${formatDuration(options.timeoutMs)}; the session was closed`;
        timer = setTimeout(() => runs.forEach((run) => run.stop('TIMEOUT', message)), options.timeoutMs);
      }
      if (deps.signals) {
        subscriptions.push(
          deps.signals((signal) => {
            interruptedBy ??= signal;
            runs.forEach((run) => run.stop('INTERRUPTED', `stopped by ${signal}; the session was closed`));
          }),
        );
      }
      for (const result of await Promise.all(runs.map((run) => run.done))) results.set(result.machine, result);
    } finally {
      clearTimeout(timer);
      subscriptions.forEach((s) => s.dispose());
      link.dispose();
    }
  }

  const ordered = targets.map((m) => results.get(m.name) ?? failed(m.name, 'INTERNAL', 'no result'));
  await drained(io.stdout);
  if (options.mode === 'json') io.stdout.write(formatJsonResults(ordered));
  else io.stderr.write(formatSummary(ordered));
  return interruptedBy ? signalExitCode(interruptedBy) : execExitCode(ordered);
}

function failed(machine: string, code: string, message: string): ExecResult {
  return { machine, exitCode: null, signal: null, output: '', error: { code, message } };
}

function noteLinkState(io: CliIo, state: string): void {
  if (state === 'reconnecting') io.stderr.write('[fleetterm: connection to the broker lost, reconnecting…]\n');
  if (state === 'connected') io.stderr.write('[fleetterm: reconnected]\n');
}

/** One machine's session during an exec. */
class MachineRun {
  readonly done: Promise<ExecResult>;
  private channel: TerminalChannel | undefined;
  private stopped: { code: string; message: string } | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private letGo: (() => void) | undefined;
  /** Gives up on an open still waiting for its answer (no agent reply, link reconnecting). */
  private abandonOpen: (() => void) | undefined;

  constructor(
    private readonly link: ConsoleLink,
    private readonly machine: MachineInfo,
    private readonly index: number,
    private readonly options: ExecOptions,
    private readonly layout: OutputLayout,
    private readonly cols: number,
    slot: <T>(task: () => Promise<T>) => Promise<T>,
    /** The one-time terminal token for a machine when signed in as a person. */
    private readonly tokenFor: (machine: string) => Promise<string | undefined>,
  ) {
    this.done = slot(() => this.run()).finally(() => clearTimeout(this.graceTimer));
  }

  /** Closes the session (timeout, Ctrl-C); if no exit comes within STOP_GRACE_MS, lets it go. */
  stop(code: string, message: string): void {
    if (this.stopped) return;
    this.stopped = { code, message };
    this.channel?.close();
    this.graceTimer = setTimeout(() => {
      this.letGo?.();
      this.abandonOpen?.();
    }, STOP_GRACE_MS);
  }

  private async run(): Promise<ExecResult> {
    const name = this.machine.name;
    if (this.stopped) return failed(name, this.stopped.code, `not started: ${this.stopped.message}`);
    let terminalToken: string | undefined;
    try {
      terminalToken = await this.tokenFor(name);
    } catch (error) {
      return failed(name, 'TERMINAL_TOKEN', error instanceof Error ? error.message : String(error));
    }
    let channel: TerminalChannel;
    try {
      const opening = this.link.open({
        machine: name,
        loginUser: this.options.loginUser,
        mode: 'exec',
        command: this.options.command,
        cols: this.cols,
        rows: 24,
        terminalToken,
      });
      const abandoned = new Promise<undefined>((resolve) => (this.abandonOpen = () => resolve(undefined)));
      const opened = await Promise.race([opening, abandoned]);
      if (opened === undefined) {
        // Should the answer still come, end that session at once.
        opening.then(
          (late) => late.close(),
          () => undefined,
        );
        const stopped = this.stopped ?? { code: 'TIMEOUT', message: 'stopped' };
        return failed(name, stopped.code, `${stopped.message} (the machine never answered the open)`);
      }
      channel = opened;
    } catch (error) {
      if (error instanceof ProtocolRefusal) return failed(name, error.code, error.message);
      if (error instanceof LinkClosedError) return failed(name, 'LINK_CLOSED', error.message);
      return failed(name, 'INTERNAL', error instanceof Error ? error.message : String(error));
    }
    this.channel = channel;
    if (this.stopped) channel.close();
    const output = createMachineOutput(name, this.index, this.layout);
    return new Promise<ExecResult>((resolve) => {
      let settled = false;
      const settle = (result: Omit<ExecResult, 'machine' | 'output'>) => {
        if (settled) return;
        settled = true;
        resolve({ machine: name, ...result, output: output.finish() });
      };
      channel.onData((bytes) => output.data(bytes, () => channel.consumed(bytes.byteLength)));
      channel.onExit((exit) => {
        const error = this.stopped ?? exit.reason;
        settle({ exitCode: exit.code, signal: exit.signal, ...(error ? { error } : {}) });
      });
      channel.onClosed((closed) => settle({ exitCode: null, signal: null, error: this.stopped ?? closed }));
      this.letGo = () => {
        channel.detach();
        settle({ exitCode: null, signal: null, error: this.stopped ?? { code: 'INTERNAL', message: 'let go' } });
      };
    });
  }
}
