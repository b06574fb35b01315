#!/usr/bin/env node
// Fleetterm against OpenSSH on this machine, loopback only, bounded in time
// (issue 6). Usage: node bench/run.mjs [--quick] [--rounds N] [--pause-ms MS] [--no-build] [--only LIST]
// Writes bench-results/latest.json (raw) and, for a full run of every workload, docs/BENCHMARKS.md
// (summary). --quick and --only print their summary instead; --only without rounds writes
// bench-results/only.json. To profile the broker, agents and floors it starts:
// FLEETTERM_BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=DIR' (profiles written when they stop).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { installExitGuards, runCleanup } from './lib/cleanup.mjs';
import { localTerminal } from './lib/localPty.mjs';
import { floorTerminal, startNodeRelayFloor } from './lib/nodeRelayFloor.mjs';
import { startSshd, sshTerminal } from './lib/openssh.mjs';
import { startFleet, fleetTerminal, connectedLink } from './lib/fleetterm.mjs';
import { keystrokeEcho, bulkOutput } from './lib/workloads.mjs';
import { interruptFlood } from './lib/interrupt.mjs';
import { openTime } from './lib/openTime.mjs';
import { paste } from './lib/paste.mjs';
import { broadcastFanOut } from './lib/broadcast.mjs';
import { agentMemory, bareNodeMemory, steadyMemory } from './lib/memory.mjs';
import { isolation } from './lib/isolation.mjs';
import { intoXterm } from './lib/intoXterm.mjs';
import { concurrency } from './lib/concurrency.mjs';
import { idleLinks } from './lib/idleLinks.mjs';
import { sleep } from './lib/watchFor.mjs';
import { scaleSummary } from './lib/reportScale.mjs';
import { latencySummary } from './lib/stats.mjs';
import { machineInfo, summarise, renderMarkdown } from './lib/report.mjs';

const root = resolve(import.meta.dirname, '..');
/** What --only may name: the A/B rounds (workloads 1, 2, 6–11 and 7's idle RSS) and the scale workloads 3–5. */
const WORKLOADS = ['rounds', 'xterm', 'concurrency', 'idle-links'];

function parseOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'pause-ms': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const only = values.only === undefined ? WORKLOADS : values.only.split(',').map((w) => w.trim());
  const unknown = only.filter((w) => !WORKLOADS.includes(w));
  if (unknown.length > 0 || only.length === 0) {
    console.error(`bench: --only takes a comma-separated list of ${WORKLOADS.join(', ')}`);
    process.exit(64);
  }
  const rounds = values.rounds === undefined ? (values.quick ? 2 : 5) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
    console.error('bench: --rounds takes a whole number from 1 to 50');
    process.exit(64);
  }
  const pauseMs = values['pause-ms'] === undefined ? 2 : Number(values['pause-ms']);
  if (!Number.isFinite(pauseMs) || pauseMs < 0 || pauseMs > 1000) {
    console.error('bench: --pause-ms takes a number of milliseconds from 0 to 1000');
    process.exit(64);
  }
  return {
    quick: values.quick,
    only,
    rounds,
    build: !values['no-build'],
    echoKeys: values.quick ? 200 : 2000,
    pauseMs,
    bulkBytes: values.quick ? 10_000_000 : 100_000_000,
    interruptFloodMs: 1500,
    // Single Ctrl-Cs vary 2–15 ms here: a full run takes the median of several per session.
    interruptsPerRound: values.quick ? 1 : 3,
    opensPerRound: values.quick ? 3 : 10,
    pasteBytes: [1_000_000, values.quick ? 2_000_000 : 10_000_000],
    broadcastSizes: [10, 100],
    broadcastSends: values.quick ? 50 : 100,
    broadcastPauseMs: 20,
    memorySessions: 20,
    // Workload 3: MB of `head -c N /dev/zero | base64` into xterm, local feed and Fleetterm alternately.
    xtermBytes: values.quick ? 4_000_000 : 100_000_000,
    xtermRounds: values.quick ? 1 : 3,
    // Workload 4: a tenth of the sessions type 10 keys per second for typingSeconds.
    concurrency: {
      sizes: values.quick ? [20, 50] : [100, 500, 1000],
      agents: values.quick ? 2 : 4,
      typingSeconds: values.quick ? 1 : 15,
      keysPerSecond: 10,
      typingShare: 0.1,
      idleSeconds: values.quick ? 1 : 3,
    },
    // Workload 5: idle agent links; the idle window covers two of the broker's 15 s heartbeats in full runs.
    idleLinks: { links: values.quick ? 200 : 10_000, idleSeconds: values.quick ? 3 : 30 },
    // p99 of 500 keys is their 5th slowest; of 200 it would be the 2nd, too noisy to compare with the idle p99.
    isolationKeys: values.quick ? 500 : 1000,
    // Hard limits: a run that overruns them is stopped (exit 2); here a quick run takes about 2.5 minutes
    // and a full one about 18.
    budgetMs: values.quick ? 480_000 : 2_400_000,
  };
}

/** Bundles the Node parts (as `npm run build:node` does) and the client entry the harness imports. */
async function buildClient(options) {
  if (options.build) execFileSync(process.execPath, [join(root, 'scripts/build-node.mjs')], { stdio: 'inherit' });
  const outdir = join(root, 'bench/.build');
  await build({
    // The console client; and for idle links, the enrolment transaction and the agent's link as a load generator.
    entryPoints: {
      fleetClient: join(root, 'bench/fleetClient.ts'),
      enrolMachines: join(root, 'bench/scale/enrolMachines.ts'),
      agentLoad: join(root, 'bench/scale/agentLoad.ts'),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['ws', 'bufferutil', 'better-sqlite3'],
    banner: {
      js: "import { createRequire as __ftCreateRequire } from 'node:module'; const require = __ftCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return {
    client: await import(join(outdir, 'fleetClient.mjs')),
    scale: await import(join(outdir, 'enrolMachines.mjs')),
  };
}

/** Open time (workload 11): Fleetterm on a connected link and on a fresh one, then OpenSSH. */
async function openTimes(fleet, sshd, count) {
  const shared = await connectedLink(fleet);
  let connected;
  try {
    connected = await openTime(() => fleetTerminal(fleet, undefined, { link: shared.link }), { count });
  } finally {
    shared.dispose();
  }
  const fresh = await openTime(() => fleetTerminal(fleet, undefined), { count });
  const ssh = await openTime(() => sshTerminal(sshd, undefined), { count });
  return {
    fleetterm: { connectedMs: connected.medianMs, freshMs: fresh.medianMs, connected, fresh },
    openssh: { firstByteMs: ssh.medianMs, fresh: ssh },
  };
}

/** Isolation (workload 10), A B: Fleetterm on separate links and on one link, OpenSSH direct and through a jump host, local PTYs. */
async function isolationRuns(fleet, systems, { isolationKeys: count, pauseMs }) {
  const result = {};
  result.fleetterm = await isolation(systems.fleetterm, systems.fleetterm, { count, pauseMs });
  const shared = await connectedLink(fleet);
  try {
    const onLink = (command) => fleetTerminal(fleet, command, { link: shared.link });
    result.fleettermOneLink = await isolation(onLink, onLink, { count, pauseMs });
  } finally {
    shared.dispose();
  }
  result.openssh = await isolation(systems.openssh, systems.openssh, { count, pauseMs });
  result.opensshJump = await isolation(systems.opensshJump, systems.opensshJump, { count, pauseMs });
  result.local = await isolation(systems.local, systems.local, { count, pauseMs });
  return result;
}

function logRound(result, rounds) {
  const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const e = result.echo;
  const b = result.bulk;
  const i = result.interrupt;
  const o = result.open;
  const p = result.paste1;
  const q = result.paste2;
  const m = result.memory.fleetterm;
  const bc = result.broadcast.fleetterm.bySize;
  const iso = result.isolation;
  const fanOut = Object.values(bc)
    .map((x) => `${x.sessions}: ${f(x.broadcast.p99, 2)} / ${f(x.separate.p99, 2)} ms`)
    .join(', ');
  console.error(
    `round ${result.round}/${rounds} (Fleetterm / OpenSSH): echo p50 ${f(e.fleetterm.p50, 3)} / ${f(e.openssh.p50, 3)} ms, ` +
      `p99 ${f(e.fleetterm.p99, 3)} / ${f(e.openssh.p99, 3)} ms; ` +
      `bulk ${f(b.fleetterm.mbPerSecond)} / ${f(b.openssh.mbPerSecond)} MB/s; ` +
      `interrupt ${f(i.fleetterm.backMs)} / ${f(i.openssh.backMs)} ms; ` +
      `open ${f(o.fleetterm.connectedMs)} (connected), ${f(o.fleetterm.freshMs)} (fresh) / ${f(o.openssh.firstByteMs)} ms; ` +
      `paste ${f(p.fleetterm.mbPerSecond)} / ${f(p.openssh.mbPerSecond)}, ${f(q.fleetterm.mbPerSecond)} / ${f(q.openssh.mbPerSecond)} MB/s; ` +
      `isolation p99 flooded/idle ${f(iso.fleetterm.p99Ratio, 2)} (one link ${f(iso.fleettermOneLink.p99Ratio, 2)}) / ${f(iso.openssh.p99Ratio, 2)}`,
  );
  console.error(
    `  OpenSSH through a jump host: echo p50 ${f(e.opensshJump.p50, 3)} ms, p99 ${f(e.opensshJump.p99, 3)} ms; ` +
      `bulk ${f(b.opensshJump.mbPerSecond)} MB/s; interrupt ${f(i.opensshJump.backMs)} ms; ` +
      `isolation p99 flooded/idle ${f(iso.opensshJump.p99Ratio, 2)}`,
  );
  console.error(
    `  Local PTY: echo p50 ${f(e.local.p50, 3)} ms, p99 ${f(e.local.p99, 3)} ms; bulk ${f(b.local.mbPerSecond)} MB/s; ` +
      `interrupt ${f(i.local.backMs)} ms; isolation p99 flooded/idle ${f(iso.local.p99Ratio, 2)}`,
  );
  console.error(
    `  Node floors, TLS / WebSockets on TLS: echo p50 ${f(e.tlsFloor.p50, 3)} / ${f(e.wsFloor.p50, 3)} ms, ` +
      `p99 ${f(e.tlsFloor.p99, 3)} / ${f(e.wsFloor.p99, 3)} ms; bulk ${f(b.tlsFloor.mbPerSecond)} / ${f(b.wsFloor.mbPerSecond)} MB/s; ` +
      `interrupt ${f(i.tlsFloor.backMs)} / ${f(i.wsFloor.backMs)} ms`,
  );
  console.error(
    `  Fleetterm only: agent RSS ${f(m.baselineMB)} MB at round start, +${f(m.perSessionKB, 0)} KB per session; ` +
      `broadcast p99 one frame / separate frames ${fanOut}`,
  );
}

/** The A/B rounds against OpenSSH (workloads 1, 2, 6–11) and the agent's idle memory (7). */
async function runRounds(client, options) {
  const sshd = await startSshd();
  const fleet = await startFleet(client);
  // Agent idle RSS (workload 7) before any session: connected, nothing opened yet, after V8 has
  // given back what starting up took (it does within 10-20 s of idling).
  await sleep(options.quick ? 2_000 : 20_000);
  const agentIdle = { ...(await steadyMemory(fleet.agentPid, 10)), bareNode: await bareNodeMemory() };
  const systems = {
    fleetterm: (command) => fleetTerminal(fleet, command),
    openssh: (command) => sshTerminal(sshd, command),
  };
  // OpenSSH in Fleetterm's topology (a relay in the middle), and the machine's own floor (a local PTY),
  // for the workloads a relay changes most.
  const relayed = {
    ...systems,
    opensshJump: (command) => sshTerminal(sshd, command, { jump: true }),
    local: localTerminal,
  };
  // And the floors under any Node implementation of the topology (TLS; WebSockets on TLS), for echo, bulk and interrupt.
  const tlsFloor = await startNodeRelayFloor('tls');
  const wsFloor = await startNodeRelayFloor('ws');
  const withFloor = {
    ...relayed,
    tlsFloor: (command) => floorTerminal(tlsFloor, command),
    wsFloor: (command) => floorTerminal(wsFloor, command),
  };
  // Warm-up (not recorded): first connections pay for page faults, JIT and caches on every side.
  for (const make of Object.values(withFloor)) await keystrokeEcho(make, { count: 20, pauseMs: options.pauseMs });

  const rounds = [];
  for (let round = 1; round <= options.rounds; round++) {
    const result = { round, echo: {}, bulk: {}, interrupt: {} };
    // Memory first: the agent has run the warm-up and the previous rounds, but holds no session.
    result.memory = { fleetterm: await agentMemory(fleet, { sessions: options.memorySessions }) };
    for (const [name, make] of Object.entries(withFloor)) {
      const { latenciesMs } = await keystrokeEcho(make, { count: options.echoKeys, pauseMs: options.pauseMs });
      result.echo[name] = { ...latencySummary(latenciesMs), latenciesMs };
    }
    for (const [name, make] of Object.entries(withFloor)) {
      result.bulk[name] = await bulkOutput(make, { inputBytes: options.bulkBytes });
    }
    for (const [name, make] of Object.entries(withFloor)) {
      result.interrupt[name] = await interruptFlood(make, {
        floodMs: options.interruptFloodMs,
        count: options.interruptsPerRound,
      });
    }
    result.open = await openTimes(fleet, sshd, options.opensPerRound);
    for (const [i, bytes] of options.pasteBytes.entries()) {
      const key = `paste${i + 1}`;
      result[key] = { bytes };
      for (const [name, make] of Object.entries(systems)) result[key][name] = await paste(make, { bytes });
    }
    result.broadcast = {
      fleetterm: await broadcastFanOut(fleet, {
        sizes: options.broadcastSizes,
        sends: options.broadcastSends,
        pauseMs: options.broadcastPauseMs,
      }),
    };
    result.isolation = await isolationRuns(fleet, relayed, options);
    rounds.push(result);
    logRound(result, options.rounds);
  }
  // The scale workloads start fleets of their own: this one would only hold memory.
  await fleet.stop();
  return { agentIdle, rounds };
}

/** Workloads 3–5, each with processes of its own, stopped before the next starts. */
async function runScale({ client, scale }, options) {
  const results = {};
  if (options.only.includes('xterm')) {
    results.xterm = await intoXterm(client, { bytes: options.xtermBytes, rounds: options.xtermRounds });
  }
  if (options.only.includes('concurrency')) results.concurrency = await concurrency(client, options.concurrency);
  if (options.only.includes('idle-links')) {
    results.idleLinks = await idleLinks(scale, options.idleLinks);
    const r = results.idleLinks;
    console.error(
      `idle links: ${r.links} connected in ${r.connectSeconds.toFixed(1)} s; broker RSS ${r.brokerRssBeforeMB.toFixed(1)} → ` +
        `${r.brokerRssWithLinksMB.toFixed(1)} MB (${r.rssPerLinkKB.toFixed(1)} KB per link), idle CPU ${(r.brokerIdleCpu * 100).toFixed(1)} %`,
    );
  }
  return results;
}

async function main() {
  const options = parseOptions();
  const stopGuards = installExitGuards(options.budgetMs);
  try {
    const built = await buildClient(options);
    const classic = options.only.includes('rounds') ? await runRounds(built.client, options) : undefined;
    const scale = await runScale(built, options);
    const machine = machineInfo(root);
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    if (!classic) {
      // A partial run must not replace the full table: its raw results go to a file of their own.
      writeFileSync(join(root, 'bench-results/only.json'), `${JSON.stringify({ machine, options, scale }, null, 1)}\n`);
      console.log(JSON.stringify(scaleSummary(scale), null, 2));
      console.error('bench: wrote bench-results/only.json (docs/BENCHMARKS.md is written by full runs only)');
      return;
    }
    const { agentIdle, rounds } = classic;
    const summary = { ...summarise(rounds, agentIdle), scale: scaleSummary(scale) };
    const raw = { machine, options, tls: true, agentIdle, summary, rounds, scale };
    writeFileSync(join(root, 'bench-results/latest.json'), `${JSON.stringify(raw, null, 1)}\n`);
    // The committed table holds full runs only: a quick or partial run (CI, someone measuring a change) prints its summary.
    if (options.quick || options.only.length < WORKLOADS.length) {
      console.log(JSON.stringify(summary, null, 2));
      console.error(
        'bench: wrote bench-results/latest.json (docs/BENCHMARKS.md is written by full runs of every workload)',
      );
      return;
    }
    // Everything from the "## History" heading on is kept: before/after records written by hand.
    const docPath = join(root, 'docs/BENCHMARKS.md');
    const previous = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
    const history = previous.includes('\n## History') ? previous.slice(previous.indexOf('\n## History')) : '';
    const markdown = renderMarkdown({ machine, options, summary, rounds, agentIdle, scale });
    writeFileSync(docPath, `${markdown.trimEnd()}\n${history}`);
    console.log(JSON.stringify(summary, null, 2));
    console.error('bench: wrote docs/BENCHMARKS.md and bench-results/latest.json');
  } finally {
    stopGuards();
    await runCleanup();
  }
}

main().catch(async (error) => {
  console.error(`bench: ${error?.stack ?? error}`);
  await runCleanup();
  process.exit(1);
});
