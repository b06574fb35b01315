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

/** A node child whose JSON log lines can be awaited by `msg`. Stopped by cleanup. */
function startLogged(name, args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  onCleanup(name, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });
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
  return { pid: child.pid, waitForLog };
}

const cli = (args) => JSON.parse(execFileSync(process.execPath, [BROKER, ...args, '--json'], { encoding: 'utf8' }));

/** Broker + agent + operator token; returns what sessions need. */
export async function startFleet(client) {
  const dir = mkdtempSync(join(tmpdir(), 'fleetterm-bench-'));
  onCleanup('fleet directory', () => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'broker');
  // TLS on both hops, as deployed: HTTPS/WSS for the console, mutual TLS for the agent (OpenSSH encrypts too).
  const broker = startLogged('broker', [
    BROKER,
    'serve',
    '--data',
    data,
    '--listen',
    '127.0.0.1:0',
    '--agent-listen',
    '127.0.0.1:0',
  ]);
  const listening = await broker.waitForLog('listening');
  const url = String(listening.url);
  const ca = [readFileSync(join(data, 'pki', 'root.crt'), 'utf8')];
  const token = cli([
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
  const { token: enroll, caPin } = cli(['enroll-token', 'create', '--data', data, '--name', MACHINE]);
  const config = join(dir, 'agent.json');
  // Broadcast (workload 6) holds 100 sessions of one operator at once; the defaults (16, 4 per operator) are for people.
  writeFileSync(config, JSON.stringify({ max_shells: 256, max_shells_per_operator: 256 }));
  const agentArgs = [
    'run',
    '--broker',
    url,
    '--enroll-token',
    enroll,
    '--ca-pin',
    caPin,
    '--state',
    join(dir, 'agent'),
    '--config',
    config,
  ];
  const agent = startLogged('agent', [AGENT, ...agentArgs]);
  await agent.waitForLog('connected');
  const wsUrl = `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/console`;
  return { client, wsUrl, token, ca, brokerPid: broker.pid, agentPid: agent.pid };
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
 * `shell` when `command` is undefined. Output is acknowledged at once. By
 * default through a fresh ConsoleLink (a new connection each time, as `ssh`
 * makes one); with `link`, on that already connected link (left open on close).
 */
export function fleetTerminal(fleet, command, { link: shared } = {}) {
  const link = shared ?? newLink(fleet);
  const mode = command === undefined ? { mode: 'shell' } : { mode: 'exec', command };
  const listeners = [];
  let channel;
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  const opened = link.open({ machine: MACHINE, ...mode, cols: 120, rows: 40 }).then((ch) => {
    channel = ch;
    ch.onData((bytes) => {
      ch.consumed(bytes.byteLength);
      for (const l of listeners) l(bytes);
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
