// The floors under any Node implementation of Fleetterm's topology: the
// harness → a relay process → an end process → PTY, each hop on loopback
// over TLS (`tls`) or over WebSockets on TLS with the `ws` library the
// product uses (`ws`, the design's wire), and nothing else: the command as
// the first line (none: a login shell), then bytes both ways; no protocol, channels, acks, audit
// or logging. The end process writes input to the PTY's master fd at once,
// as the agent does (agent/src/ptyInput.ts). What they measure is what Node,
// TLS, WebSockets and two relayed hops cost before any product code.
//
// Run as a script it is one of the processes:
//   node nodeRelayFloor.mjs end|relay --transport tls|ws --cert C --key K [--target PORT]
// each prints {"msg":"listening","port":N} once it listens on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { onCleanup } from './cleanup.mjs';
import { benchDirectory, startLogged } from './fleetterm.mjs';

/** Bytes queued on a hop before its source is paused (bulk output), as the product's watermark. */
const HIGH_WATER = 1 << 20;

/** A throwaway P-256 certificate for `localhost` (the processes verify it: TLS as deployed). */
function makeCertificate(dir) {
  const cert = join(dir, 'floor.crt');
  const key = join(dir, 'floor.key');
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'];
  const keyType = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...keyType, '-days', '1', ...subject, '-keyout', key, '-out', cert], {
    stdio: 'ignore',
  });
  return { cert, key };
}

/**
 * One hop's connection, the same for both transports: `send` (false once
 * more than HIGH_WATER is queued), `onData`, `onDrain`, `onClose`, `pause`,
 * `resume`, `close`. A WebSocket queues what is sent before it opened.
 */
function connection(transport, socketOrWs) {
  if (transport === 'tls') {
    const socket = socketOrWs;
    socket.setNoDelay(true);
    return {
      send: (bytes) => socket.write(bytes),
      onData: (listener) => socket.on('data', listener),
      onDrain: (listener) => socket.once('drain', listener),
      onClose: (listener) => socket.once('close', listener).on('error', () => socket.destroy()),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      close: () => socket.destroy(),
    };
  }
  const ws = socketOrWs;
  const early = [];
  ws.once('open', () => {
    for (const bytes of early.splice(0)) ws.send(bytes);
  });
  return {
    send: (bytes) => {
      if (ws.readyState === WebSocket.CONNECTING) early.push(bytes);
      else ws.send(bytes);
      return ws.bufferedAmount < HIGH_WATER;
    },
    onData: (listener) => ws.on('message', listener),
    onDrain: (listener) => ws._socket.once('drain', listener),
    onClose: (listener) => ws.once('close', listener).on('error', () => ws.terminate()),
    pause: () => ws._socket?.pause(),
    resume: () => ws._socket?.resume(),
    close: () => ws.terminate(),
  };
}

/** Dials the process listening on `port` (verifying its certificate against `ca`). */
function dial(transport, port, ca) {
  return transport === 'tls'
    ? connection('tls', tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }))
    : connection('ws', new WebSocket(`wss://localhost:${port}/`, { ca, perMessageDeflate: false }));
}

/** A listener on 127.0.0.1 calling `onConnection` with each connection. */
function listen(transport, options, onConnection) {
  if (transport === 'tls') return tls.createServer(options, (socket) => onConnection(connection('tls', socket)));
  const server = https.createServer(options);
  new WebSocketServer({ server, perMessageDeflate: false }).on('connection', (ws) =>
    onConnection(connection('ws', ws)),
  );
  return server;
}

/** `from`'s data to `to`, pausing `from` while `to` has more than HIGH_WATER queued. */
function forward(from, to) {
  from.onData((bytes) => {
    if (to.send(bytes)) return;
    from.pause();
    to.onDrain(() => from.resume());
  });
}

/** The relay process: every connection forwarded to the end process, both ways. */
function serveRelay(transport, options, target) {
  return listen(transport, options, (inbound) => {
    const outbound = dial(transport, target, options.cert);
    forward(inbound, outbound);
    forward(outbound, inbound);
    inbound.onClose(() => outbound.close());
    outbound.onClose(() => inbound.close());
  });
}

/** The end process: each connection's first line names the command; then bytes go to and from its PTY. */
async function serveEnd(transport, options) {
  const { default: pty } = await import('node-pty');
  return listen(transport, options, (conn) => {
    let term;
    let head = Buffer.alloc(0);
    const toPty = (bytes) => {
      try {
        const written = writeSync(term.fd, bytes);
        if (written < bytes.length) term.write(bytes.subarray(written));
      } catch {
        term.write(bytes); // the kernel's buffer is full: node-pty queues it
      }
    };
    conn.onData((chunk) => {
      if (term) return toPty(chunk);
      head = Buffer.concat([head, chunk]);
      const newline = head.indexOf(10);
      if (newline < 0) return;
      // Without a command, a login shell (as sshd and the agent start one).
      const { command } = JSON.parse(head.subarray(0, newline).toString('utf8'));
      const args = command === undefined ? ['-l'] : ['-c', command];
      term = pty.spawn('/bin/bash', args, { name: 'xterm-256color', cols: 120, rows: 40, encoding: null });
      term.onData((bytes) => {
        if (conn.send(bytes)) return;
        term.pause();
        conn.onDrain(() => term.resume());
      });
      term.onExit(() => conn.close());
      if (head.length > newline + 1) toPty(head.subarray(newline + 1));
    });
    conn.onClose(() => term?.kill());
  });
}

/** Starts the end and relay processes for `transport`; resolves with what `floorTerminal` needs. Stopped by cleanup. */
export async function startNodeRelayFloor(transport) {
  const { cert, key } = makeCertificate(benchDirectory());
  const args = ['--transport', transport, '--cert', cert, '--key', key];
  const end = startLogged(`${transport} floor end`, [import.meta.filename, 'end', ...args]);
  const endPort = (await end.waitForLog('listening')).port;
  const relay = startLogged(`${transport} floor relay`, [
    import.meta.filename,
    'relay',
    ...args,
    '--target',
    String(endPort),
  ]);
  const port = (await relay.waitForLog('listening')).port;
  return { transport, port, ca: readFileSync(cert), pids: [relay.pid, end.pid] };
}

/** One connection through a floor as a bench terminal: `command` (or a login shell) in a PTY on its end process. */
export function floorTerminal(floor, command) {
  const conn = dial(floor.transport, floor.port, floor.ca);
  conn.send(Buffer.from(`${JSON.stringify({ command })}\n`));
  const exited = new Promise((resolve) => conn.onClose(() => resolve({})));
  const unregister = onCleanup('floor connection', () => close());
  async function close() {
    unregister();
    conn.close();
    await exited;
  }
  return {
    onData: (listener) => conn.onData(listener),
    write: (text) => conn.send(Buffer.from(text)),
    exited,
    close,
    transportPids: () => floor.pids,
  };
}

if (process.argv[1] === import.meta.filename) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      transport: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      target: { type: 'string' },
    },
  });
  const { transport } = values;
  const options = { cert: readFileSync(values.cert), key: readFileSync(values.key) };
  const server =
    positionals[0] === 'relay'
      ? serveRelay(transport, options, Number(values.target))
      : await serveEnd(transport, options);
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port: server.address().port })));
  process.on('SIGTERM', () => process.exit(0));
}
