// Summarises the rounds and renders docs/BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { renderScale, scaleMethods } from './reportScale.mjs';
import { median } from './stats.mjs';

export function machineInfo(root) {
  const git = (...args) => {
    try {
      return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    openssh: `${ssh.stderr}${ssh.stdout}`.trim(),
    date: new Date().toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    workingTreeModified: git('status', '--porcelain').length > 0,
  };
}

/** Medians over rounds and the median of the per-round ratios (Fleetterm / OpenSSH). */
export function summarise(rounds, agentIdle) {
  const at = (value, get) => (typeof get === 'function' ? get(value) : value[get]);
  // `sshGet`: OpenSSH's counterpart when the two systems name it differently (open time).
  const row = (workload, get, sshGet = get, fleetSystem = 'fleetterm') => {
    const f = rounds.map((r) => at(r[workload][fleetSystem], get));
    const s = rounds.map((r) => at(r[workload].openssh, sshGet));
    return { fleetterm: median(f), openssh: median(s), ratio: median(f.map((v, i) => v / s[i])) };
  };
  // Against OpenSSH through a jump host (the workloads that run it): medians and the median per-round ratio;
  // OpenSSH direct, the Node floors (echo, bulk, interrupt) and a local PTY beside them.
  const relayRow = (workload, get) => {
    const of = (system) => rounds.map((r) => (r[workload][system] ? at(r[workload][system], get) : NaN));
    const f = of('fleetterm');
    const j = of('opensshJump');
    return {
      fleetterm: median(f),
      opensshJump: median(j),
      openssh: median(of('openssh')),
      local: median(of('local')),
      tlsFloor: median(of('tlsFloor')),
      wsFloor: median(of('wsFloor')),
      ratio: median(f.map((v, i) => v / j[i])),
    };
  };
  // Fleetterm-only workloads (broadcast, memory): the median over rounds of one number.
  const only = (workload, get) => ({ fleetterm: median(rounds.map((r) => get(r[workload].fleetterm))) });
  const broadcast = {};
  for (const size of Object.keys(rounds[0]?.broadcast?.fleetterm.bySize ?? {})) {
    const get = (fn) => only('broadcast', (b) => fn(b.bySize[size])).fleetterm;
    broadcast[size] = {
      broadcastP50: get((x) => x.broadcast.p50),
      broadcastP99: get((x) => x.broadcast.p99),
      separateP50: get((x) => x.separate.p50),
      separateP99: get((x) => x.separate.p99),
      ratioP50: get((x) => x.ratioP50),
      ratioP99: get((x) => x.ratioP99),
    };
  }
  return {
    echoP50: row('echo', 'p50'),
    echoP90: row('echo', 'p90'),
    echoP99: row('echo', 'p99'),
    echoMax: row('echo', 'max'),
    bulkMBps: row('bulk', 'mbPerSecond'),
    bulkHandshakeMs: row('bulk', 'handshakeMs'),
    bulkCpuPer100MB: row('bulk', 'cpuSecondsPer100MB'),
    interruptBackMs: row('interrupt', 'backMs'),
    interruptBytesAfter: row('interrupt', 'bytesAfterInterrupt'),
    openConnectedMs: row('open', 'connectedMs', 'firstByteMs'),
    openFreshMs: row('open', 'freshMs', 'firstByteMs'),
    paste1MBps: row('paste1', 'mbPerSecond'),
    paste2MBps: row('paste2', 'mbPerSecond'),
    isolationIdleP99: row('isolation', (x) => x.idle.p99),
    isolationFloodedP99: row('isolation', (x) => x.flooded.p99),
    isolationP99Ratio: row('isolation', 'p99Ratio'),
    isolationOneLinkFloodedP99: row('isolation', (x) => x.flooded.p99, undefined, 'fleettermOneLink'),
    isolationOneLinkP99Ratio: row('isolation', 'p99Ratio', undefined, 'fleettermOneLink'),
    isolationFloodMBps: row('isolation', 'floodMBps'),
    relay: rounds.every((r) => r.echo.opensshJump)
      ? {
          echoP50: relayRow('echo', 'p50'),
          echoP90: relayRow('echo', 'p90'),
          echoP99: relayRow('echo', 'p99'),
          bulkMBps: relayRow('bulk', 'mbPerSecond'),
          bulkCpuPer100MB: relayRow('bulk', 'cpuSecondsPer100MB'),
          interruptBackMs: relayRow('interrupt', 'backMs'),
          interruptBytesAfter: relayRow('interrupt', 'bytesAfterInterrupt'),
          isolationFloodedP99: relayRow('isolation', (x) => x.flooded.p99),
          isolationP99Ratio: relayRow('isolation', 'p99Ratio'),
        }
      : undefined,
    broadcast,
    memory: {
      idleFreshMB: { fleetterm: agentIdle?.rssMB },
      idleFreshAnonMB: { fleetterm: agentIdle?.anonMB },
      idleFreshPssMB: { fleetterm: agentIdle?.pssMB },
      bareNodePssMB: { fleetterm: agentIdle?.bareNode?.pssMB },
      bareNodeMB: { fleetterm: agentIdle?.bareNode?.rssMB },
      bareNodeAnonMB: { fleetterm: agentIdle?.bareNode?.anonMB },
      baselineMB: only('memory', (m) => m.baselineMB),
      withSessionsMB: only('memory', (m) => m.withSessionsMB),
      // The largest over rounds: later rounds open their shells into heap that earlier workloads grew.
      perSessionKB: { fleetterm: Math.max(...rounds.map((r) => r.memory.fleetterm.perSessionKB)) },
      perSessionAnonKB: { fleetterm: Math.max(...rounds.map((r) => r.memory.fleetterm.perSessionAnonKB)) },
      shellRssPerSessionKB: only('memory', (m) => m.shellRssPerSessionKB),
      afterCloseMB: only('memory', (m) => m.afterCloseMB),
    },
  };
}

const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** A target of issue 6 as table cells: what it asks and whether this run met it ('n/a' when not measured). */
/**
 * A target of issue 6 as table cells: what it asks and whether this run met it ('n/a' when not measured);
 * `outOfReach`: why a reference in the same run shows the machine cannot meet it, said beside a miss.
 */
const target = (text, met, outOfReach) =>
  `${text} | ${met === undefined ? 'n/a' : met ? 'yes' : outOfReach ? `**no**: out of reach here (${outOfReach})` : '**no**'}`;
const check = (value, ok) => (Number.isFinite(value) ? ok(value) : undefined);
const NO_TARGET = ' | ';

/** Fleetterm against OpenSSH in the same topology: through a relay in the middle. */
function relaySection(relay) {
  if (!relay) return '';
  const line = (label, r, digits, better) =>
    `| ${label} | ${fmt(r.fleetterm, digits)} | ${fmt(r.opensshJump, digits)} | ${fmt(r.ratio)} | ${fmt(r.openssh, digits)} | ` +
    `${fmt(r.tlsFloor, digits)} | ${fmt(r.wsFloor, digits)} | ${fmt(r.local, digits)} | ${better} |`;
  return `## In context: OpenSSH through a jump host, Node floors, a local PTY

Fleetterm always relays: agents dial out to the broker and consoles never reach a device directly, so every byte
crosses the broker, decrypted and encrypted again. OpenSSH in that topology is \`ssh -J\`: the client starts
\`ssh -W\` to a jump host, whose sshd connects to the target's sshd (here the same sshd twice), and the session's
SSH runs inside the jump connection's. Same workloads, same rounds; ratio = median of per-round Fleetterm / \`ssh -J\`.
"Node floors" (echo, bulk and interrupt): the harness → a relay process → an end process → PTY, over TLS, and over WebSockets
on TLS with \`ws\` (the design's wire), with no protocol, channels, acks or logging (\`bench/lib/nodeRelayFloor.mjs\`):
what Node, TLS, WebSockets and two relayed hops cost before any Fleetterm code. "Local PTY": the command in a PTY of
the harness itself (\`bench/lib/localPty.mjs\`), no network and no other process: no remote terminal beats it here.

| Measure | Fleetterm | OpenSSH via \`ssh -J\` | Ratio | OpenSSH direct | Node floor, TLS | Node floor, WebSockets | Local PTY | Better |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${line('Keystroke echo p50 (ms)', relay.echoP50, 3, 'lower')}
${line('Keystroke echo p90 (ms)', relay.echoP90, 3, 'lower')}
${line('Keystroke echo p99 (ms)', relay.echoP99, 3, 'lower')}
${line('Bulk output (MB/s, from first byte)', relay.bulkMBps, 1, 'higher')}
${line('Bulk: transport CPU s per 100 MB', relay.bulkCpuPer100MB, 2, 'lower')}
${line('Interrupt: Ctrl-C to shell back (ms)', relay.interruptBackMs, 1, 'lower')}
${line('Interrupt: bytes after Ctrl-C', relay.interruptBytesAfter, 0, 'lower')}
${line('Isolation: typing echo p99 during a flood (ms)', relay.isolationFloodedP99, 3, 'lower')}
${line('Isolation: flooded / idle echo p99', relay.isolationP99Ratio, 2, 'lower')}

${limits(relay)}`;
}

/** What the references say about the targets Fleetterm misses, in this run's numbers. */
function limits(relay) {
  const { echoP50, echoP99, isolationP99Ratio: iso, interruptBackMs: ctrlC } = relay;
  const times = (a, b) => fmt(a / b);
  return `- Echo: the design's wire with no Fleetterm code on it (the WebSockets floor) echoes at ${times(echoP50.wsFloor, echoP50.openssh)}× direct
  OpenSSH at p50 and ${times(echoP99.wsFloor, echoP99.openssh)}× at p99 (plain TLS: ${times(echoP50.tlsFloor, echoP50.openssh)}×); Fleetterm at ${times(echoP50.fleetterm, echoP50.wsFloor)}× and ${times(echoP99.fleetterm, echoP99.wsFloor)}× that floor.
- Isolation: a local PTY typed into beside a local flood has its p99 echo ${fmt(iso.local)}× its idle value: with no network and no
  relay this machine ${iso.local > 2 ? 'misses' : 'meets'} ≤ 2× (Fleetterm ${fmt(iso.fleetterm)}×, OpenSSH ${fmt(iso.openssh)}×, \`ssh -J\` ${fmt(iso.opensshJump)}×).
- Interrupt: a local login shell (the shell every side starts) is back at its prompt ${fmt(ctrlC.local, 1)} ms after Ctrl-C; Fleetterm ${fmt(ctrlC.fleetterm, 1)} ms, OpenSSH ${fmt(ctrlC.openssh, 1)} ms,
  \`ssh -J\` ${fmt(ctrlC.opensshJump, 1)} ms, the Node floors ${fmt(ctrlC.tlsFloor, 1)} ms (TLS) and ${fmt(ctrlC.wsFloor, 1)} ms (WebSockets): the design's wire
  with no Fleetterm code on it at ${times(ctrlC.wsFloor, ctrlC.openssh)}× OpenSSH, Fleetterm at ${times(ctrlC.fleetterm, ctrlC.wsFloor)}× that floor.`;
}

export function renderMarkdown({ machine, options, summary, rounds, scale }) {
  const s = summary;
  const line = (label, r, digits, better, goal = NO_TARGET) =>
    `| ${label} | ${fmt(r.fleetterm, digits)} | ${fmt(r.openssh, digits)} | ${fmt(r.ratio)} | ${better} | ${goal} |`;
  const atMost = (r, limit, outOfReach) =>
    target(
      `≤ ${limit.toFixed(1)}× OpenSSH`,
      check(r.ratio, (x) => x <= limit),
      outOfReach,
    );
  // What the references of this run (In context) prove out of reach on this machine.
  const relay = s.relay;
  const floorMisses = (r) =>
    r && r.wsFloor > r.openssh ? `the WebSockets floor alone: ${fmt(r.wsFloor / r.openssh)}×` : undefined;
  const localIsolation = relay?.isolationP99Ratio.local;
  const isolationOutOfReach = localIsolation > 2 ? `a local PTY: ${fmt(localIsolation)}` : undefined;
  const atLeast = (r, limit) =>
    target(
      `≥ ${limit.toFixed(1)}× OpenSSH`,
      check(r.ratio, (x) => x >= limit),
    );
  const mb = (bytes) => `${bytes / 1e6} MB`;
  const p99s = (sys) => rounds.map((r) => fmt(r.echo[sys].p99)).join(', ');
  const i = s.interruptBackMs;
  const interruptGoal = target(
    '≤ 100 ms and ≤ 1.0× OpenSSH',
    check(i.fleetterm, (x) => x <= 100 && i.ratio <= 1),
  );
  const isolationGoal = (r) =>
    target(
      'Fleetterm ≤ 2.0',
      check(r.fleetterm, (x) => x <= 2),
      isolationOutOfReach,
    );
  const fanOutRows = Object.entries(s.broadcast).map(([size, b]) => {
    const goal =
      size === '100'
        ? target(
            'p99 < 20 ms',
            check(b.broadcastP99, (x) => x < 20),
          )
        : NO_TARGET;
    return (
      `| ${size} | ${fmt(b.broadcastP50, 3)} | ${fmt(b.broadcastP99, 3)} | ${fmt(b.separateP50, 3)} | ` +
      `${fmt(b.separateP99, 3)} | ${fmt(b.ratioP50)} | ${fmt(b.ratioP99)} | ${goal} |`
    );
  });
  const m = s.memory;
  const memoryLine = (label, r, digits, goal = NO_TARGET) => `| ${label} | ${fmt(r.fleetterm, digits)} | ${goal} |`;
  return `# Benchmarks: Fleetterm against OpenSSH

Generated by \`npm run bench\` (\`node bench/run.mjs\`); raw results in \`bench-results/latest.json\`.
Everything above "History" is generated (run the harness again); the History section is kept across runs.

- Date: ${machine.date}
- Commit: ${machine.commit}${machine.workingTreeModified ? ' (with uncommitted changes in the working tree)' : ''}
- Machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}, ${machine.openssh}
- Run: ${options.quick ? '`--quick`, ' : ''}${options.rounds} round${options.rounds === 1 ? '' : 's'} alternating Fleetterm and OpenSSH (A B A B);
  echo: ${options.echoKeys} keys per run, ${options.pauseMs} ms pause between keys; bulk: \`head -c ${options.bulkBytes} /dev/zero | base64\`;
  interrupt: Ctrl-C after ${options.interruptFloodMs} ms of \`yes\`, ${options.interruptsPerRound} per run (their median); open time: median of ${options.opensPerRound} opens per round;
  paste: ${options.pasteBytes.map(mb).join(' and ')}; isolation: ${options.isolationKeys} keys idle and ${options.isolationKeys} during a flood;
  broadcast: ${options.broadcastSends} sends per variant and size, ${options.broadcastPauseMs} ms apart; memory: ${options.memorySessions} idle shells.
- Fleetterm as deployed: TLS to the broker (WSS) and mutual TLS between broker and agent; OpenSSH encrypts too.
- Scale (once, after the rounds): into xterm ${options.xtermBytes / 1e6} MB × ${options.xtermRounds}; concurrency ${options.concurrency.sizes.join(', ')} sessions, typing ${options.concurrency.typingSeconds} s;
  idle links: ${options.idleLinks.links}, idle ${options.idleLinks.idleSeconds} s.
- Targets are those of issue 6; "Met" judges this run only (\`--quick\` runs are short and noisy).

## Results (medians over rounds; ratio = median of per-round Fleetterm / OpenSSH)

| Measure | Fleetterm | OpenSSH | Ratio | Better | Target | Met |
| --- | ---: | ---: | ---: | --- | --- | --- |
${line('Keystroke echo p50 (ms)', s.echoP50, 3, 'lower', atMost(s.echoP50, 1, floorMisses(relay?.echoP50)))}
${line('Keystroke echo p90 (ms)', s.echoP90, 3, 'lower')}
${line('Keystroke echo p99 (ms)', s.echoP99, 3, 'lower', atMost(s.echoP99, 1, floorMisses(relay?.echoP99)))}
${line('Keystroke echo max (ms)', s.echoMax, 2, 'lower')}
${line('Bulk output (MB/s, from first byte)', s.bulkMBps, 1, 'higher', atLeast(s.bulkMBps, 1))}
${line('Bulk: time to first byte incl. connect (ms)', s.bulkHandshakeMs, 1, 'lower')}
${line('Bulk: transport CPU s per 100 MB', s.bulkCpuPer100MB, 2, 'lower')}
${line('Interrupt: Ctrl-C to shell back (ms)', s.interruptBackMs, 1, 'lower', interruptGoal)}
${line('Interrupt: bytes after Ctrl-C', s.interruptBytesAfter, 0, 'lower')}
${line('Open to first prompt byte, connected link (ms)', s.openConnectedMs, 1, 'lower')}
${line('Open to first prompt byte, fresh link (ms)', s.openFreshMs, 1, 'lower')}
${line(`Paste ${mb(options.pasteBytes[0])} (MB/s)`, s.paste1MBps, 1, 'higher', atLeast(s.paste1MBps, 1))}
${line(`Paste ${mb(options.pasteBytes[1])} (MB/s)`, s.paste2MBps, 1, 'higher', atLeast(s.paste2MBps, 1))}
${line('Isolation: typing echo p99, idle (ms)', s.isolationIdleP99, 3, 'lower')}
${line('Isolation: typing echo p99 during a flood (ms)', s.isolationFloodedP99, 3, 'lower')}
${line('Isolation: flooded / idle echo p99', s.isolationP99Ratio, 2, 'lower', isolationGoal(s.isolationP99Ratio))}
${line('Isolation, one console link: echo p99 during a flood (ms)', s.isolationOneLinkFloodedP99, 3, 'lower')}
${line('Isolation, one console link: flooded / idle echo p99', s.isolationOneLinkP99Ratio, 2, 'lower', isolationGoal(s.isolationOneLinkP99Ratio))}
${line('Isolation: flood rate while typing (MB/s)', s.isolationFloodMBps, 1, 'higher')}

Echo p99 per round: Fleetterm ${p99s('fleetterm')}; OpenSSH ${p99s('openssh')} (ms).

${relaySection(s.relay)}

## Broadcast (Fleetterm only: OpenSSH has no broadcast)

One key to N sessions on one console link, timed until the last session echoed it (ms, medians over rounds of
each round's p50 and p99); ratio = one broadcast frame / one input frame per channel.

| Sessions | One frame p50 | One frame p99 | Separate frames p50 | Separate frames p99 | Ratio p50 | Ratio p99 | Target | Met |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
${fanOutRows.join('\n')}

## Agent memory (Fleetterm only; the agent process alone, MB = 10^6 bytes)

VmRSS counts the pages of the \`node\` executable it touched (shared with every Node process on the machine);
RssAnon is the agent's private memory. An idle empty \`node\` (same binary) is the floor any Node agent stands on.

| Measure | Fleetterm | Target | Met |
| --- | ---: | --- | --- |
${memoryLine(
  'Agent idle RSS (VmRSS), connected, before any session (MB)',
  m.idleFreshMB,
  1,
  target(
    '< 40 MB',
    check(m.idleFreshMB.fleetterm, (x) => x < 40),
    m.bareNodeMB.fleetterm >= 40 ? `an empty \`node\`: ${fmt(m.bareNodeMB.fleetterm, 1)} MB` : undefined,
  ),
)}
${memoryLine('Agent idle private memory (RssAnon), same moment (MB)', m.idleFreshAnonMB, 1)}
${memoryLine('Agent idle proportional set size (PSS: shared pages split among their users) (MB)', m.idleFreshPssMB, 1)}
${memoryLine('Reference: idle empty `node` VmRSS (MB)', m.bareNodeMB, 1)}
${memoryLine('Reference: idle empty `node` RssAnon (MB)', m.bareNodeAnonMB, 1)}
${memoryLine('Reference: idle empty `node` PSS (MB)', m.bareNodePssMB, 1)}
${memoryLine('Agent RSS without sessions at the start of a round (MB)', m.baselineMB, 1)}
${memoryLine(`Agent RSS with ${options.memorySessions} idle shells open (MB)`, m.withSessionsMB, 1)}
${memoryLine(
  'Agent RSS increment per open session (KB, largest over rounds)',
  m.perSessionKB,
  0,
  target(
    '< 1000 KB',
    check(m.perSessionKB.fleetterm, (x) => x < 1000),
  ),
)}
${memoryLine('Agent RssAnon increment per open session (KB, largest over rounds)', m.perSessionAnonKB, 0)}
${memoryLine('The shell processes themselves, per session (KB, not counted above)', m.shellRssPerSessionKB, 0)}
${memoryLine('Agent RSS after closing them (MB)', m.afterCloseMB, 1)}

${renderScale({ scale, options })}
## How it is measured

- **Keystroke echo**: \`stty raw -echo; exec cat\` on the remote terminal; each key is written only after the
  previous one came back. Fleetterm: a new \`ConsoleLink\` (the headless client's protocol code) → broker →
  agent → PTY, exec mode. OpenSSH: \`ssh -tt root@127.0.0.1\` in a local PTY (node-pty) to a private sshd; through
  a relay: \`ssh -tt -J root@127.0.0.1 root@127.0.0.1\` (the same sshd as the jump host; echo, bulk, interrupt and
  isolation run it too). CPU of \`ssh -J\`: both \`ssh\` processes and every per-connection sshd process.
- **Bulk output**: the consumer acknowledges every chunk at once. MB/s counts the bytes received (MB = 10^6;
  base64 lines plus the PTY's CR, about 1.37 × the input) from the first byte to an end marker. "Time to first
  byte" is the handshake: connect, authenticate, open, start the command.
- **CPU**: utime + stime from \`/proc/PID/stat\` between the first byte and the end marker, per 100 MB received.
  Fleetterm: broker + agent processes (not the shell). OpenSSH: the \`ssh\` client + sshd's per-connection
  processes. The 10 ms tick of \`/proc\` makes short (\`--quick\`) runs coarse.
- **Interrupt**: \`yes\` in an interactive shell (Fleetterm: \`shell\` mode; OpenSSH: \`ssh -tt\` without a command),
  output acknowledged at once; after ${options.interruptFloodMs / 1000} s, Ctrl-C (0x03) and then \`echo MARK-$((1+1))\` are
  written; "back" is the time from Ctrl-C until \`MARK-2\` arrives, and the bytes are all those received in between.
  A run repeats that ${options.interruptsPerRound} time${options.interruptsPerRound === 1 ? '' : 's'} in one session (\`MARK-3\`, …) and keeps the medians: single
  interrupts vary several-fold here.
- **Open time**: from asking for a login shell to its first output byte (the prompt), each closed before the next;
  Fleetterm on a \`ConsoleLink\` connected beforehand and on a fresh one (WebSocket handshake, hello, welcome
  included); OpenSSH: a fresh \`ssh -tt\` (TCP, key exchange, authentication, channel); the ratio is against OpenSSH.
- **Paste**: \`stty raw -echo; head -c N >/dev/null; echo DONE\` on the remote terminal; N bytes of letters written
  64 KiB per write (Fleetterm: \`TerminalChannel.write\`; OpenSSH: the local PTY), pausing while over 1 MiB is
  queued on the link or in node-pty; timed from the first write to DONE; MB = 10^6 bytes of input.
- **Isolation**: the keystroke echo workload on a fresh session, first alone ("idle"), then while another session
  runs \`yes\` (acknowledged at once; typing starts once 1 MB of it arrived). Fleetterm: the two sessions on the
  same agent, each on its own console link (as two \`ssh\` connections are) and, in the "one console link" rows,
  both on one link (a console's tabs); OpenSSH: two \`ssh -tt\` connections. The flood rate is the flooding
  session's output while the keys were typed. The harness reads both sessions in one process, so its own load
  counts on both sides alike.
- **Broadcast**: ${options.broadcastSizes.at(-1)} sessions of \`stty raw -echo; exec cat\` opened on one \`ConsoleLink\`; the first N of them
  get one key, alternately as one broadcast frame (\`ConsoleLink.broadcast\`, fanned out by the broker) and as one
  input frame per channel (\`TerminalChannel.write\` on each), timed from the send until the last session echoed it,
  with a fixed ${options.broadcastPauseMs} ms pause before each send, after 5 unrecorded sends of each variant. The p99 of
  ${options.broadcastSends} sends is their maximum or close to it.
- **Memory**: \`VmRSS\` and \`RssAnon\` of the agent process from \`/proc/PID/status\` (medians of reads 100 ms apart):
  once right after the agent connected, then in every round before and after opening ${options.memorySessions} idle login shells on
  one console link (all prompts arrived, 0.5 s settled) and again after closing them. The increment per session is
  (with shells − before) / ${options.memorySessions}, the largest over rounds (V8 keeps the heap earlier workloads grew, so later
  rounds understate it); the shells' own processes are separate and only reported.
${scaleMethods}`;
}
