import { ProtocolRefusal, type TerminalChannel } from '../../common/client';
import { DisposableStore, toDisposable } from '../../common/disposable';
import { linkFailure, type BrokerClient } from './brokerClient';
import { ExitCode } from './exitCodes';
import { drained, type CliIo, type InputStream, type SignalSource, type TerminalOutput } from './io';
import { remoteExitCode, signalExitCode } from './signals';

export interface ShellOptions {
  machine: string;
  loginUser?: string;
}

export interface ShellDeps {
  client: BrokerClient;
  io: CliIo & { stdin: InputStream; stdout: TerminalOutput };
  signals: SignalSource;
}

/** Input queued on the socket above which we stop reading stdin (a large
 *  paste or pipe), and below which we read again. */
const INPUT_PAUSE_BYTES = 1024 * 1024;
const INPUT_RESUME_BYTES = 256 * 1024;
const INPUT_POLL_MS = 10;

/** Ctrl-D: at the start of a line the remote shell reads it as end of input. */
const EOT = '\x04';

/**
 * `fleetterm shell`: an interactive shell on one machine. Raw mode while
 * stdin is a terminal (restored on every way out), the local window size
 * follows SIGWINCH, and the remote exit status becomes the return value.
 */
export async function runShell(options: ShellOptions, deps: ShellDeps): Promise<number> {
  const { io, client } = deps;
  const { stdin, stdout, stderr } = io;
  const link = client.connect();
  const cleanup = new DisposableStore();
  cleanup.add(toDisposable(() => link.dispose()));
  try {
    await link.ready().catch((error: unknown) => {
      throw linkFailure(error, client.settings);
    });
    let channel: TerminalChannel;
    try {
      channel = await link.open({
        machine: options.machine,
        loginUser: options.loginUser,
        mode: 'shell',
        ...terminalSize(stdout),
        terminalToken: await client.terminalToken(options.machine, options.loginUser),
      });
    } catch (error) {
      if (error instanceof ProtocolRefusal) {
        stderr.write(`fleetterm: ${error.code}: ${error.message}\n`);
        return ExitCode.REMOTE_FAILURE;
      }
      throw linkFailure(error, client.settings);
    }

    const raw = Boolean(stdin.isTTY && stdin.setRawMode);
    if (raw) {
      stdin.setRawMode?.(true);
      cleanup.add(toDisposable(() => stdin.setRawMode?.(false)));
    }
    // In raw mode the terminal no longer turns \n into \r\n.
    const note = (text: string) => stderr.write(raw ? `\r\n[fleetterm: ${text}]\r\n` : `[fleetterm: ${text}]\n`);

    const code = await new Promise<number>((resolve) => {
      channel.onData((bytes) => stdout.write(bytes, () => channel.consumed(bytes.byteLength)));
      channel.onStatus((status) => {
        if (status === 'resuming') note('connection lost, resuming…');
        else if (status === 'open') note('resumed');
      });
      channel.onLost(({ from, to }) => note(`${to - from} bytes of output were lost while reconnecting`));
      channel.onExit((exit) => {
        if (exit.reason) note(`${exit.reason.code}: ${exit.reason.message}`);
        resolve(remoteExitCode(exit));
      });
      channel.onClosed((closed) => {
        note(`session closed: ${closed.code}: ${closed.message}`);
        resolve(ExitCode.REMOTE_FAILURE);
      });
      cleanup.add(pipeInput(stdin, channel, () => link.bufferedAmount, raw));
      const onResize = () => channel.resize(...sizeOf(stdout));
      stdout.on('resize', onResize);
      cleanup.add(toDisposable(() => stdout.off('resize', onResize)));
      cleanup.add(
        deps.signals((signal) => {
          channel.close();
          resolve(signalExitCode(signal));
        }),
      );
    });
    await drained(stdout);
    return code;
  } finally {
    cleanup.dispose();
  }
}

function terminalSize(stdout: TerminalOutput): { cols: number; rows: number } {
  const [cols, rows] = sizeOf(stdout);
  return { cols, rows };
}

function sizeOf(stdout: TerminalOutput): [number, number] {
  return stdout.isTTY && stdout.columns && stdout.rows ? [stdout.columns, stdout.rows] : [80, 24];
}

/** stdin → the channel, pausing while the socket holds too much; at the end of a pipe, Ctrl-D. */
function pipeInput(stdin: InputStream, channel: TerminalChannel, queued: () => number, raw: boolean) {
  let poll: NodeJS.Timeout | undefined;
  const onData = (chunk: Uint8Array | string) => {
    channel.write(chunk);
    if (poll || queued() < INPUT_PAUSE_BYTES) return;
    stdin.pause();
    poll = setInterval(() => {
      if (queued() > INPUT_RESUME_BYTES) return;
      clearInterval(poll);
      poll = undefined;
      stdin.resume();
    }, INPUT_POLL_MS);
  };
  const onEnd = () => {
    if (!raw) channel.write(EOT);
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.resume();
  return toDisposable(() => {
    clearInterval(poll);
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
  });
}
