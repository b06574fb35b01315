import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PtySession } from './ptySession';
import { SessionProbe, spawnSession } from './testing/sessionProbe';

const sessions: PtySession[] = [];

function probe(command: string): SessionProbe {
  const session = spawnSession({ command });
  sessions.push(session);
  return new SessionProbe(session);
}

afterEach(async () => {
  const running = sessions.splice(0).filter((s) => s.running);
  await Promise.all(running.map((s) => new Promise((resolve) => (s.onEnd(resolve), s.terminate()))));
});

/**
 * A process may close its terminal before it exits: coreutils (rm, cp…)
 * close stdin, stdout and stderr in an atexit handler, and `bash -c` execs
 * its last command. Once the last slave fd is closed the master reports a
 * hang-up; closing the master then would hang the terminal up and the
 * kernel would kill the still-running session leader with SIGHUP. The
 * sleeps widen that window from microseconds to a fixed 300 ms.
 */
describe('PtySession when the process closes its terminal before it exits', () => {
  it('reports the exit code of a shell that closed fds 0-2 and exits later', async () => {
    const p = probe('printf done; exec 0<&- 1>&- 2>&-; sleep 0.3; exit 7');
    expect(await p.ended).toMatchObject({ code: 7, signal: null });
    expect(p.text).toBe('done');
  });

  it('reports exit code 0 of a last command that closed its terminal and exits later', async () => {
    // `exec` makes the command the session leader, as bash does with the last command of `-c`.
    const p = probe(
      `printf done; exec perl -e 'close STDIN; close STDOUT; close STDERR; select(undef,undef,undef,0.3); exit 0'`,
    );
    expect(await p.ended).toMatchObject({ code: 0, signal: null });
    expect(p.text).toBe('done');
  });

  it('releases the slave it holds once the session ended (no fd left open)', async () => {
    const before = readdirSync('/proc/self/fd').length;
    const p = probe('echo hi');
    expect(readdirSync('/proc/self/fd').length).toBeGreaterThan(before);
    await p.ended;
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('still ends the session when the process closed its terminal and then was hung up', async () => {
    const p = probe('printf ready; exec 0<&- 1>&- 2>&-; sleep 100');
    await p.waitForText('ready');
    p.session.terminate();
    expect(await p.ended).toMatchObject({ code: null, signal: 'SIGHUP' });
  });
});
