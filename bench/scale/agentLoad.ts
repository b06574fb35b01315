// Load generator for the idle-links workload: one process holding thousands of
// agent links to one broker, each the agent's own BrokerLink (mutual TLS, hello,
// heartbeats, reconnects) with a machine certificate of its own and no sessions.
// Usage: node agentLoad.mjs <setup.json>; setup: { url, keyPem, chains, caPem, concurrency }.
// Prints JSON lines: {"msg":"connected","links":N,"seconds":S} once all are up, or
// {"msg":"failed",...}; then holds the links until it is killed.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { BrokerLink, type LinkSessions } from '../../agent/src/brokerLink';

interface Setup {
  url: string;
  keyPem: string;
  chains: string[];
  caPem: string;
  concurrency: number;
}

const setup = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Setup;
const print = (record: object) => process.stdout.write(`${JSON.stringify(record)}\n`);

/** The agent's logger, silenced: ten thousand links would log ten thousand lines per event. */
const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  trace() {},
  fatal() {},
  child: () => silent,
} as unknown as Logger;

/** No sessions: idle links only. An open would go unanswered (the broker times it out), but none is made. */
const sessions: LinkSessions = {
  liveSessions: () => [],
  setTransport() {},
  open() {},
  attach() {},
  resize() {},
  ack() {},
  close() {},
  detach() {},
  input() {},
} as unknown as LinkSessions;

const started = performance.now();
const links: BrokerLink[] = [];
let next = 0;
let connected = 0;

function startOne(): void {
  const index = next++;
  if (index >= setup.chains.length) return;
  let first = true;
  const link = new BrokerLink({
    url: setup.url,
    tls: () => ({ cert: setup.chains[index]!, key: setup.keyPem, ca: [setup.caPem] }),
    onConnected: () => {
      if (!first) return; // a reconnect: already counted
      first = false;
      connected += 1;
      if (connected === setup.chains.length) {
        print({ msg: 'connected', links: connected, seconds: (performance.now() - started) / 1000 });
      }
      startOne();
    },
    sessions,
    log: silent,
    reconnectMaxDelayMs: 30_000,
    heartbeatTimeoutMs: 45_000,
  });
  links.push(link);
  void link.done.then((stop) => {
    print({ msg: 'failed', link: index, reason: stop.reason, error: stop.message });
    process.exit(1);
  });
  link.start();
}

for (let i = 0; i < setup.concurrency; i++) startOne();
