import { afterEach, describe, expect, it } from 'vitest';
import type { PtySession } from './ptySession';
import { KILL_GRACE_MS, parseProcStat, sessionMembers } from './processGroup';
import { SessionProbe, spawnSession } from './testing/sessionProbe';
import { waitFor } from './testing/waitFor';

const sessions: PtySession[] = [];

afterEach(async () => {
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
});
