import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { PtySession } from './ptySession';
import { endProcessGroup, KILL_GRACE_MS, parseProcStat, remainingSessions, sessionMembers } from './processGroup';
import { membersOfSessions, SessionScanner } from './processGroupScan';
import { SessionProbe, spawnSession } from './testing/sessionProbe';
import { waitFor } from './testing/waitFor';

const sessions: PtySession[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const running = sessions.splice(0).filter((s) => s.running);
  await Promise.all(running.map((s) => new Promise((resolve) => (s.onEnd(resolve), s.terminate()))));
});

describe('parseProcStat', () => {
  it('reads the session id (6th field) after the last ")", whatever the command name holds', () => {
    expect(parseProcStat('4242 (sleep) S 100 4242 4100 34816 4242 4194304 …')).toEqual({
      pid: 4242,
      sid: 4100,
      zombie: false,
    });
    expect(parseProcStat('77 (a) b (c) Z 1 77 9 0 -1')).toEqual({ pid: 77, sid: 9, zombie: true });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('endProcessGroup', () => {
  it('lists no process for a session id nobody has', () => {
    expect(sessionMembers(-1)).toEqual([]);
  });

  it('ends the background jobs of an interactive dash, which keeps them in groups of their own', async () => {
    const session = spawnSession({ shell: '/bin/sh', mode: 'shell', env: { PATH: '/usr/bin:/bin', PS1: '$ ' } });
    sessions.push(session);
    const probe = new SessionProbe(session);
    probe.type('sleep 4242 & echo job=$!\r');
    await probe.waitForText(/job=\d+\r\n/);
    const job = Number(/job=(\d+)/.exec(probe.text)![1]);
    expect(sessionMembers(session.pid)).toContain(job);
    session.terminate();
    await probe.ended;
    await waitFor(() => sessionMembers(session.pid).length === 0, 'the session to be empty', KILL_GRACE_MS + 2000);
  });

  it('ends many sessions with one pass over /proc for the hang-up and one for the check after the grace period', async () => {
    // Session leaders (detached = setsid) whose sleep ignores SIGHUP, as a shell's `nohup` job would.
    const leaders = Array.from({ length: 4 }, () => {
      const child = spawn('/bin/sh', ['-c', 'trap "" HUP; exec sleep 4242'], { detached: true, stdio: 'ignore' });
      children.push(child);
      return child;
    });
    await Promise.all(leaders.map((child) => once(child, 'spawn')));
    const pids = leaders.map((child) => child.pid!);
    // Until each shell has exec'd sleep, its trap may not be set yet and a SIGHUP would still end it.
    const isSleep = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
      } catch {
        return false;
      }
    };
    await waitFor(() => pids.every(isSleep) && remainingSessions(pids).size === pids.length, 'the sleeps to run');
    const passes: number[][] = [];
    const scanner = new SessionScanner((sids) => {
      passes.push([...sids]);
      return membersOfSessions(passes.at(-1)!);
    });
    const exits = leaders.map((child) => once(child, 'exit'));
    for (const pid of pids) endProcessGroup(pid, 100, scanner);
    const ended = await Promise.all(exits);
    expect(ended.map(([, signal]) => signal)).toEqual(pids.map(() => 'SIGKILL'));
    expect(passes).toEqual([pids, pids]);
  });
});
