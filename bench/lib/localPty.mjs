// The machine's own floor: the command in a PTY of the harness itself (node-pty, as
// the agent runs it), no network, no encryption, no other process in between.
// Whatever a workload measures here no remote terminal can beat on this machine.
import pty from 'node-pty';
import { onCleanup } from './cleanup.mjs';

/** `command` (or an interactive bash without one) in a local PTY, as a bench terminal. */
export function localTerminal(command) {
  const args = command === undefined ? ['--noprofile', '--norc', '-i'] : ['-c', command];
  const term = pty.spawn('/bin/bash', args, { name: 'xterm-256color', cols: 120, rows: 40, encoding: null });
  const exited = new Promise((resolve) => term.onExit(resolve));
  const unregister = onCleanup('local pty', () => close());
  async function close() {
    unregister();
    try {
      term.kill();
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  }
  return {
    onData: (listener) => term.onData((chunk) => listener(chunk)),
    write: (text) => term.write(text),
    exited,
    close,
    /** No process carries the bytes but the harness (not counted on any side). */
    transportPids: () => [],
  };
}
