// Workload 5 of issue 6: thousands of idle agent links to one broker; the
// broker's memory per link and its CPU while they idle (heartbeats only).
// The links come from a load generator (bench/scale/agentLoad.ts) running the
// agent's own link code, one enrolled machine and certificate per link.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDirectory, brokerCli, startBroker, startLogged } from './fleetterm.mjs';
import { steadyMemory } from './memory.mjs';
import { cpuSeconds, memoryOf } from './procStat.mjs';
import { sleep } from './watchFor.mjs';

const LOAD = resolve(import.meta.dirname, '../.build/agentLoad.mjs');
/** Handshakes in flight at once: the generator starts the next link as each one is welcomed. */
const CONNECT_CONCURRENCY = 100;
/** Sockets, the database and the rest besides the links. */
const SPARE_FILES = 512;
const SETTLE_MS = 2000;
const KB = 1e3;

/** This shell's hard limit on open files, which the broker and the generator may raise their soft limit to. */
const hardFileLimit = () => Number(execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());

/**
 * Enrols `links` machines (the enrolment transaction, no HTTP: see
 * enrolMachines.ts), starts a broker of its own on that data, reads its
 * memory, connects every link, waits for all hellos to be welcomed, reads it
 * again and measures its CPU over `idleSeconds`. Stops both at the end.
 */
export async function idleLinks(scale, { links, idleSeconds }) {
  const maxFiles = links + SPARE_FILES;
  const hard = hardFileLimit();
  if (Number.isFinite(hard) && hard < maxFiles) {
    throw new Error(
      `idle links: ${links} links need ${maxFiles} open files, the hard limit here is ${hard} (ulimit -Hn)`,
    );
  }
  const dir = benchDirectory();
  const data = join(dir, 'broker');
  brokerCli(['init', '--data', data]);
  const enrolStarted = performance.now();
  const machines = await scale.enrolMachines(data, links, 'load');
  const enrolSeconds = (performance.now() - enrolStarted) / 1000;
  const broker = await startBroker(data, { maxFiles });
  let generator;
  try {
    await sleep(SETTLE_MS);
    const before = await steadyMemory(broker.pid, 10);
    const setup = join(dir, 'load.json');
    const url = `wss://127.0.0.1:${broker.agentPort}/ws/agent`;
    writeFileSync(setup, JSON.stringify({ url, ...machines, concurrency: CONNECT_CONCURRENCY }));
    const cpuBeforeConnect = cpuSeconds(broker.pid);
    generator = startLogged('agent load generator', [LOAD, setup], { maxFiles });
    const connected = await generator.waitForLog('connected', 600_000);
    const connectCpuSeconds = cpuSeconds(broker.pid) - cpuBeforeConnect;
    await sleep(SETTLE_MS);
    const cpuBefore = cpuSeconds(broker.pid);
    const idleStarted = performance.now();
    await sleep(idleSeconds * 1000);
    const idleCpu = (cpuSeconds(broker.pid) - cpuBefore) / ((performance.now() - idleStarted) / 1000);
    const withLinks = await steadyMemory(broker.pid, 10);
    const generatorMemory = memoryOf(generator.pid);
    return {
      links,
      enrolSeconds,
      connectSeconds: connected.seconds,
      connectCpuSeconds,
      brokerRssBeforeMB: before.rssMB,
      brokerAnonBeforeMB: before.anonMB,
      brokerRssWithLinksMB: withLinks.rssMB,
      brokerAnonWithLinksMB: withLinks.anonMB,
      rssPerLinkKB: ((withLinks.rssMB - before.rssMB) * 1e6) / links / KB,
      anonPerLinkKB: ((withLinks.anonMB - before.anonMB) * 1e6) / links / KB,
      idleSeconds,
      brokerIdleCpu: idleCpu,
      generatorRssMB: (generatorMemory?.rss ?? NaN) / 1e6,
    };
  } finally {
    // The generator first: stopped the other way round, its links would all reconnect.
    await generator?.stop();
    await broker.stop();
  }
}
