import { toDisposable } from '../../common/disposable';
import { createBrokerClient } from './brokerClient';
import { runExec } from './execCommand';
import type { CliIo, SignalName, SignalSource } from './io';
import { runLs } from './lsCommand';
import type { CommandRunners } from './program';
import { runShell } from './shellCommand';

const SIGNALS: SignalName[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The process's termination signals; while subscribed, they no longer kill it at once. */
export const processSignals: SignalSource = (listener) => {
  const handlers = SIGNALS.map((signal) => {
    const handler = () => listener(signal);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return toDisposable(() => handlers.forEach((off) => off()));
};

/** The commands wired to this process's stdio, signals and the real broker. */
export function createNodeRunners(
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): CommandRunners {
  return {
    ls: (settings, options) => runLs(options, { client: createBrokerClient(settings), io }),
    shell: (settings, options) =>
      runShell(options, {
        client: createBrokerClient(settings),
        io: { ...io, stdin: process.stdin, stdout: process.stdout },
        signals: processSignals,
      }),
    exec: (settings, options) =>
      runExec(options, { client: createBrokerClient(settings), io, signals: processSignals }),
  };
}
