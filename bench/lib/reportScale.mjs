// The scale workloads of issue 6 (3: into xterm, 4: concurrency, 5: idle
// links) in the summary and in docs/BENCHMARKS.md.

import { median } from './stats.mjs';

const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const met = (value, ok) => (Number.isFinite(value) ? (ok(value) ? 'yes' : '**no**') : 'n/a');
const pct = (share) => fmt(share * 100, 1);

/** The numbers the targets judge, for the JSON summary. */
export function scaleSummary({ xterm, concurrency, idleLinks } = {}) {
  const sizes = Object.values(concurrency?.bySize ?? {});
  return {
    xterm:
      xterm && !xterm.skipped
        ? { fleet: xterm.fleet, local: xterm.local, ratio: xterm.ratio, ceilings: xterm.ceilings }
        : xterm,
    concurrency: Object.fromEntries(
      sizes.map((r) => [
        r.sessions,
        { opened: r.opened, echoP99: r.echo.p99, brokerCpu: r.brokerCpuTyping, brokerRssMB: r.brokerRssOpenMB },
      ]),
    ),
    idleLinks: idleLinks && {
      links: idleLinks.links,
      rssPerLinkKB: idleLinks.rssPerLinkKB,
      brokerIdleCpu: idleLinks.brokerIdleCpu,
    },
  };
}

function xtermSection(x, options) {
  if (!x) return 'Not run.';
  if (x.skipped) return `Skipped: ${x.skipped}.`;
  const starved = (mode) => Math.max(...x.runs.map((r) => r[mode].starvedSeconds));
  const perMB = (mode) => Math.max(...x.runs.map((r) => r[mode].mainThreadSecondsPer100MB));
  const cpu = (mode, part) => median(x.runs.map((r) => r[mode].cpuSecondsPer100MB[part]));
  const { cores, withTransport, transportFree } = x.ceilings;
  const reach = transportFree.ratio < 0.9 ? 'out of reach here' : '';
  return `\`head -c ${options.xtermBytes} /dev/zero | base64\` into one terminal pane of the console (TerminalPane: the
controller, its flow control and xterm, renderer \`${x.renderer}\`) in Debian's Chromium; medians of ${x.runs.length} rounds,
local feed first in each. MB/s from the first byte until xterm parsed the last; heap: the page's JS heap, peak of
samples every 50 ms (the largest over rounds). CPU: seconds per 100 MB received, from /proc, over each run.

| Measure | Fleetterm (broker, agent, PTY) | Local feed (memory) | Ratio | Target | Met |
| --- | ---: | ---: | ---: | --- | --- |
| Into xterm (MB/s) | ${fmt(x.fleet.mbPerSecond, 1)} | ${fmt(x.local.mbPerSecond, 1)} | ${fmt(x.ratio)} | ≥ 0.9× the local feed | ${met(x.ratio, (v) => v >= 0.9)} |
| Peak JS heap (MB) | ${fmt(x.fleet.peakHeapMB, 1)} | ${fmt(x.local.peakHeapMB, 1)} | | bounded | |
| xterm waiting for output (s, largest) | ${fmt(starved('fleet'))} | ${fmt(starved('local'))} | | | |
| Page main thread busy (s per 100 MB, largest) | ${fmt(perMB('fleet'))} | ${fmt(perMB('local'))} | | | |
| CPU: Chromium, all its processes (s per 100 MB) | ${fmt(cpu('fleet', 'chromium'))} | ${fmt(cpu('local', 'chromium'))} | | | |
| CPU: broker and agent (s per 100 MB) | ${fmt(cpu('fleet', 'transport'))} | | | | |
| CPU: the rest of the machine: the command, its PTY, the kernel's loopback (s per 100 MB) | ${fmt(cpu('fleet', 'rest'))} | ${fmt(cpu('local', 'rest'))} | | | |
| Ceiling on ${cores} cores, broker and agent as measured (MB/s; ratio) | ${fmt(withTransport.mbPerSecond, 1)} | | ${fmt(withTransport.ratio)} | | |
| Ceiling on ${cores} cores, broker and agent free (MB/s; ratio) | ${fmt(transportFree.mbPerSecond, 1)} | | ${fmt(transportFree.ratio)} | ≥ 0.9 to reach the target | ${reach} |

The ceilings: ${cores} cores ÷ (the local feed's CPU per MB + the rest of the machine's CPU per MB in the Fleetterm runs,
with and without the broker's and agent's), as a ratio to the local feed's rate: what the machine could carry if the
pane cost no more than when fed from memory and Chromium's network work cost nothing. Chromium is driven over the
DevTools protocol without its Network domain (\`bench/lib/chromiumPage.mjs\`: with it, as Playwright enables it,
Chromium copies every WebSocket frame to the client and the Fleetterm runs lose about a third).`;
}

function concurrencySection(c) {
  if (!c) return 'Not run.';
  const rows = Object.values(c.bySize).map(
    (r) =>
      `| ${r.sessions} | ${r.opened}${r.openError ? ` (${r.openError})` : ''} | ${fmt(r.openSeconds, 1)} | ${r.typists} / ${r.keys} | ` +
      `${fmt(r.echo.p50, 3)} | ${fmt(r.echo.p99, 3)} | ${fmt(r.echo.max, 1)} | ${pct(r.brokerCpuIdle)} | ${pct(r.brokerCpuTyping)} | ` +
      `${pct(r.agentsCpuTyping)} | ${fmt(r.brokerRssOpenMB, 1)} | ${fmt(r.brokerRssPeakMB, 1)} | ${r.brokerRssPerSessionKB < 0 ? '≤ 0 (heap shrank)' : fmt(r.brokerRssPerSessionKB, 1)} | ` +
      `${r.sessions === 1000 ? `p99 < 20 ms | ${met(r.echo.p99, (v) => v < 20)}` : ' | '} |`,
  );
  return `One broker, ${c.agents} agents, \`stty raw -echo; exec cat\` sessions, ${c.sessionsPerLink} per console link; a tenth type
10 keys per second each (every key waits for its echo). CPU: share of one core (100 % = one core busy).

| Sessions | Opened | Open (s) | Typists / keys | Echo p50 (ms) | Echo p99 (ms) | Max (ms) | Broker CPU idle (%) | Broker CPU typing (%) | Agents CPU typing (%) | Broker RSS (MB) | Peak (MB) | Broker KB per session | Target | Met |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
${rows.join('\n')}`;
}

function idleLinksSection(l) {
  if (!l) return 'Not run.';
  return `${l.links} agent links, each a machine enrolled with a certificate of its own, from one load generator
running the agent's own link code (mutual TLS, hello, heartbeats); no sessions.

| Measure | Value | Target | Met |
| --- | ---: | --- | --- |
| Broker RSS before the links (MB) | ${fmt(l.brokerRssBeforeMB, 1)} | | |
| Broker RSS with them, idle (MB) | ${fmt(l.brokerRssWithLinksMB, 1)} | | |
| Broker RSS per link (KB) | ${fmt(l.rssPerLinkKB, 1)} | < 20 KB | ${met(l.rssPerLinkKB, (v) => v < 20)} |
| Broker RssAnon per link (KB) | ${fmt(l.anonPerLinkKB, 1)} | | |
| Broker CPU while idle over ${l.idleSeconds} s (% of one core) | ${pct(l.brokerIdleCpu)} | | |
| Time to connect them all (s) | ${fmt(l.connectSeconds, 1)} | | |
| Broker CPU to accept them (s) | ${fmt(l.connectCpuSeconds, 1)} | | |`;
}

/** The three sections, for renderMarkdown. */
export function renderScale({ scale = {}, options }) {
  return `## Into xterm (workload 3)

${xtermSection(scale.xterm, options)}

## Concurrency (workload 4, Fleetterm only)

${concurrencySection(scale.concurrency)}

## Idle agent links (workload 5, Fleetterm only)

${idleLinksSection(scale.idleLinks)}
`;
}

/** "How it is measured" for the three. */
export const scaleMethods = `- **Into xterm**: a page built from \`bench/xterm/\` (Vite, the renderer's CSP with the broker's \`wss:\` added) holds the
  console's \`TerminalPane\`; served from a loopback port the broker allows (\`serve --allowed-origin\`). Fleetterm: a
  \`ConsoleLink\` over the browser's WebSocket (\`createBrowserSocketFactory\`, an operator API token in the subprotocol,
  TLS; the throwaway browser profile ignores the broker's private CA) opens \`exec\` of the command on the agent; the run
  ends when the exit arrived and the controller holds no unparsed output. Local feed: the flood test's \`FloodChannel\`
  (\`src-renderer/console/testing/flood/\`) repeating base64 lines with CR LF, the same bytes, behind the same watermarks.
  Chromium: headless, \`--disable-gpu\`, so xterm draws with its DOM renderer; driven over the DevTools protocol on a
  pipe with only the Page, Runtime, Performance and HeapProfiler domains (no Network domain, whose WebSocket frame copies
  would be charged to the Fleetterm runs alone). "Waiting for output": from the moment the pane had reported
  everything parsed to the next byte. "Main thread busy": CDP \`Performance.getMetrics\` TaskDuration. CPU: utime +
  stime of Chromium's processes (each counted from its start or the run's), of the broker and agent, and the machine's
  busy time from \`/proc/stat\` minus both ("the rest").
- **Concurrency**: a broker and agents of their own (\`max_shells\` 1024 in the agents' config). Sessions open 20 at a
  time, round robin over the agents; then the broker's CPU is read over a quiet second or three, then every tenth session
  types a key every 100 ms (staggered, each waiting for its echo) while the broker's RSS is sampled every 250 ms.
  KB per session: (RSS with the sessions open − RSS before the first size) / sessions. The harness reads every session
  in one Node process, so its own load counts in the echo.
- **Idle links**: \`fleetterm-broker init\`, then for each link the enrolment transaction of \`POST /api/v1/enroll\`
  without HTTP (\`bench/scale/enrolMachines.ts\`: a one-time token created and spent, a certificate signed by the broker's
  CA for a new machine id and recorded in the store); one key pair serves all (the broker's cost does not depend on it).
  Then \`serve\`, its RSS (median of 10 reads), the load generator (\`bench/scale/agentLoad.ts\`: \`BrokerLink\` from the
  agent, 100 handshakes in flight) until every link is welcomed, 2 s settled, CPU over the idle window, RSS again.
`;
