// The real broker and one agent as processes on loopback, and sessions
// through the real console protocol client (ConsoleLink, bundled by run.mjs).
// TLS on both hops as deployed: WSS to the broker, mutual TLS to the agent.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onCleanup } from './cleanup.mjs';

const root = resolve(import.meta.dirname, '../..');
const BROKER = join(root, 'broker/bin/fleetterm-broker.js');
const AGENT = join(root, 'agent/bin/fleetterm-agent.js');
const MACHINE = 'bench';

/** Node flags for every process the harness starts, to profile them: `--cpu-prof --cpu-prof-dir=DIR`. */
const NODE_FLAGS = process.env.FLEETTERM_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];

/**
 * A node child whose JSON log lines can be awaited by `msg`. Stopped by cleanup.
 * `maxFiles`: its open-file limit (`ulimit -n`, through a shell that execs node, so the pid is node's).
 */
export function startLogged(name, args, { maxFiles } = {}) {
  const nodeArgs = [...NODE_FLAGS, ...args];
  const child =
    maxFiles === undefined
      ? spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', `ulimit -n ${maxFiles} && exec "$0" "$@"`, process.execPath, ...nodeArgs], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  const records = [];
  const waiters = new Set();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t) => (stderr = (stderr + t).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      record = { msg: line };
    }
    records.push(record);
    for (const w of [...waiters]) if (w.msg === record.msg) w.resolve(record);
  });
  const exited = new Promise((r) => child.once('exit', r));
  const terminate = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const unregister = onCleanup(name, terminate);
  const waitForLog = (msg, timeoutMs = 20_000) => {
    const found = records.find((r) => r.msg === msg);
    if (found) return Promise.resolve(found);
    return new Promise((res, rej) => {
      const waiter = { msg, resolve: (r) => (clearTimeout(timer), waiters.delete(waiter), res(r)) };
      const timer = setTimeout(
        () => rej(new Error(`${name}: no "${msg}" log within ${timeoutMs} ms\n${stderr}`)),
        timeoutMs,
      );
      waiters.add(waiter);
      exited.then((code) => rej(new Error(`${name} exited (${code}) before "${msg}"\n${stderr}`)));
    });
  };
  /** Stops it now (SIGTERM, SIGKILL after 5 s) instead of at the end of the run. */
  const stop = () => (unregister(), terminate());
  return { pid: child.pid, waitForLog, stop };
}

export const brokerCli = (args) =>
  JSON.parse(execFileSync(process.execPath, [BROKER, ...args, '--json'], { encoding: 'utf8' }));

/** A temporary directory (named so CI finds anything left running from it), removed by cleanup. */
export function benchDirectory() {
  const dir = mkdtempSync(join(tmpdir(), 'fleetterm-bench-'));
  onCleanup('bench directory', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * `fleetterm-broker serve` on loopback with its data in `data`, TLS on both
 * listeners as deployed; resolves once it listens, with its `listening` log.
 */
export async function startBroker(data, { args = [], maxFiles } = {}) {
  const broker = startLogged(
    'broker',
    [BROKER, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--agent-listen', '127.0.0.1:0', ...args],
    { maxFiles },
  );
  const listening = await broker.waitForLog('listening');
  return {
    pid: broker.pid,
    url: String(listening.url),
    agentPort: Number(listening.agentPort),
    listening,
    stop: broker.stop,
  };
}

/**
 * Broker + `agents` agents (machines `bench`, `bench-2`, …) + operator token;
 * returns what sessions need. `brokerArgs` go to `serve`; `maxShells` to each agent's config.
 */
export async function startFleet(client, { agents = 1, brokerArgs = [], maxShells = 256 } = {}) {
  const dir = benchDirectory();
  const data = join(dir, 'broker');
  // TLS on both hops, as deployed: HTTPS/WSS for the console, mutual TLS for the agent (OpenSSH encrypts too).
  const broker = await startBroker(data, { args: brokerArgs });
  const { url } = broker;
  const ca = [readFileSync(join(data, 'pki', 'root.crt'), 'utf8')];
  const token = brokerCli([
    'token',
    'create',
    '--data',
    data,
    '--role',
    'operator',
    '--scope',
    'shell,exec,read',
    '--name',
    'bench',
  ]).token;
  const config = join(dir, 'agent.json');
  // Broadcast (workload 6) holds 100 sessions of one operator at once; the defaults (16, 4 per operator) are for people.
  writeFileSync(config, JSON.stringify({ max_shells: maxShells, max_shells_per_operator: maxShells }));
  const machines = Array.from({ length: agents }, (_, i) => (i === 0 ? MACHINE : `${MACHINE}-${i + 1}`));
  const started = [];
  for (const name of machines) {
    const { token: enroll, caPin } = brokerCli(['enroll-token', 'create', '--data', data, '--name', name]);
    const state = join(dir, `agent-${name}`);
    // Enrolled first, then started from its stored identity, as a service runs after its first start.
    execFileSync(
      process.execPath,
      [AGENT, 'enroll', '--broker', url, '--enroll-token', enroll, '--ca-pin', caPin, '--state', state],
      {
        stdio: 'ignore',
      },
    );
    const args = ['run', '--broker', url, '--state', state];
    const agent = startLogged(`agent ${name}`, [AGENT, ...args, '--config', config]);
    started.push({ pid: agent.pid, connected: agent.waitForLog('connected'), stop: agent.stop });
  }
  await Promise.all(started.map((a) => a.connected));
  const wsUrl = `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/console`;
  return {
    client,
    url,
    wsUrl,
    token,
    ca,
    brokerPid: broker.pid,
    machine: MACHINE,
    machines,
    agentPid: started[0].pid,
    agentPids: started.map((a) => a.pid),
    /** Stops the agents and the broker now (workloads with a fleet of their own). */
    stop: async () => {
      await Promise.all(started.map((a) => a.stop()));
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A ConsoleLink to the broker, connected (welcomed) before it is returned. Disposed by cleanup. */
export async function connectedLink(fleet) {
  const link = newLink(fleet);
  const unregister = onCleanup('console link', () => link.dispose());
  await link.ready();
  return {
    link,
    dispose: () => {
      unregister();
      link.dispose();
    },
  };
}

function newLink(fleet) {
  const { ConsoleLink, createNodeSocketFactory } = fleet.client;
  return new ConsoleLink({
    socketFactory: createNodeSocketFactory({ url: fleet.wsUrl, token: fleet.token, ca: fleet.ca }),
    software: 'fleetterm-bench/0.1',
  });
}

/**
 * One session as a bench terminal: `exec` of `command`, or an interactive
 * `shell` when `command` is undefined, on `machine` (default: the first). Output is acknowledged at once. By
 * default through a fresh ConsoleLink (a new connection each time, as `ssh`
 * makes one); with `link`, on that already connected link (left open on close).
 */
export function fleetTerminal(fleet, command, { link: shared, machine = fleet.machine } = {}) {
  const link = shared ?? newLink(fleet);
  const mode = command === undefined ? { mode: 'shell' } : { mode: 'exec', command };
  const listeners = [];
  let channel;
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  const opened = link.open({ machine, ...mode, cols: 120, rows: 40 }).then((ch) => {
    channel = ch;
    ch.onData((bytes) => {
      // Consumed once the listeners have it, as a console acknowledges after its terminal parsed the bytes:
      // an echo is timed when it arrives, not after the ack it causes was encrypted and sent.
      for (const l of listeners) l(bytes);
      ch.consumed(bytes.byteLength);
    });
    ch.onExit(resolveExit);
    ch.onClosed(resolveExit);
    return ch;
  });
  opened.catch((error) => resolveExit({ error }));
  const unregister = onCleanup('console link', () => close());
  async function close() {
    unregister();
    try {
      channel?.close();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    } finally {
      if (!shared) link.dispose();
    }
  }
  return {
    opened,
    onData: (listener) => listeners.push(listener),
    write: (text) => (channel ? channel.write(text) : void opened.then((ch) => ch.write(text))),
    exited,
    close,
    transportPids: () => [fleet.brokerPid, fleet.agentPid],
    /** Input bytes queued on the link's socket, for writers of bulk input to pause on. */
    inputBacklog: () => link.bufferedAmount,
  };
}
