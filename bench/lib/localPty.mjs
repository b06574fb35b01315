// Bench terminals over a PTY of the harness itself (node-pty, as the agent
// runs one): the `ssh` client's (bench/lib/openssh.mjs) and the machine's own
// floor, the command with no network, no encryption and no other process in
// between. Whatever a workload measures on the latter no remote terminal can
// beat on this machine.
import pty from 'node-pty';
import { onCleanup } from './cleanup.mjs';

/** `file args` in a PTY of the harness, as a bench terminal (`pid` is the program's; stopped by cleanup). */
export function ptyTerminal(file, args, label) {
  const term = pty.spawn(file, args, { name: 'xterm-256color', cols: 120, rows: 40, encoding: null });
  const exited = new Promise((resolve) => term.onExit(resolve));
  const unregister = onCleanup(label, () => close());
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
    pid: term.pid,
    onData: (listener) => term.onData((chunk) => listener(chunk)),
    write: (text) => term.write(text),
    exited,
    close,
    /** Input bytes node-pty still queues for the PTY (its private write queue: best effort, 0 if it changes). */
    inputBacklog: () =>
      (term._writeStream?._writeQueue ?? []).reduce((sum, task) => sum + task.buffer.length - task.offset, 0),
  };
}

/**
 * `command` (or, without one, a login bash, as sshd, the agent and the Node floors start it) in a local PTY: no
 * process carries the bytes but the harness. The same shell on every side, so the interrupt workload's prompt
 * (whatever the user's profile runs for it) weighs the same here.
 */
export function localTerminal(command) {
  const args = command === undefined ? ['-l'] : ['-c', command];
  return { ...ptyTerminal('/bin/bash', args, 'local pty'), transportPids: () => [] };
}
