import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Fleet } from './harness/fleet';
import { Interactive } from './harness/interactive';

/** `fleetterm shell` in a real terminal, through a real broker, to a real agent's PTY. */
describe('fleetterm shell', () => {
  let fleet: Fleet;
  const open: Interactive[] = [];

  beforeAll(async () => {
    fleet = await Fleet.start([{ name: 'web-1', labels: { env: 'test' } }]);
  });

  afterAll(async () => {
    open.forEach((session) => session.kill());
    await fleet?.stop();
  });

  async function shell(): Promise<Interactive> {
    const session = Interactive.start(BIN.cli, ['shell', 'web-1'], fleet.clientEnv);
    open.push(session);
    session.type('echo READY-$((40+2))\r');
    await session.waitFor(/READY-42/);
    return session;
  }

  it('runs a command and shows its output', async () => {
    const session = await shell();
    const mark = session.mark();
    session.type('echo "$FLEETTERM_MACHINE says hel""lo"\r');
    await session.waitFor(/web-1 says hello/, 10_000, mark);
    session.type('exit\r');
    expect((await session.exited).exitCode).toBe(0);
  });

  it('passes a resize of the local terminal to the remote PTY', async () => {
    const session = await shell();
    session.resize(132, 43);
    // SIGWINCH reaches the client asynchronously: ask until the new size shows. The local terminal
    // keeps ONLCR on in Node's raw mode, so the remote's \r\n arrives here as \r\r\n.
    let seen = false;
    for (let attempt = 0; attempt < 20 && !seen; attempt++) {
      const mark = session.mark();
      session.type('stty size\r');
      const answer = await session.waitFor(/(\d+) (\d+)\r*\n/, 10_000, mark);
      seen = answer[1] === '43' && answer[2] === '132';
    }
    expect(seen).toBe(true);
    session.type('exit\r');
    await session.exited;
  });

  it('interrupts the foreground process with Ctrl-C', async () => {
    const session = await shell();
    const beforeSleep = session.mark();
    // The marker comes from the process that then becomes `sleep` (exec): once it shows, the Ctrl-C reaches
    // the foreground job, never bash between two commands (which could then still start the sleep).
    session.type(`sh -c 'echo sleep-$((1+1)); exec sleep 100'; echo not-""interrupted\r`);
    await session.waitFor(/sleep-2/, 10_000, beforeSleep);
    const started = Date.now();
    session.type('\x03');
    const mark = session.mark();
    session.type('echo after-$((2*21))\r');
    await session.waitFor(/after-42/, 10_000, mark);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(session.text).not.toContain('not-interrupted');
    session.type('exit\r');
    await session.exited;
  });

  it('exits with the remote shell’s exit code', async () => {
    const session = await shell();
    session.type('exit 3\r');
    expect((await session.exited).exitCode).toBe(3);
  });

  it('says why when the machine does not exist', async () => {
    const session = Interactive.start(BIN.cli, ['shell', 'no-such-machine'], fleet.clientEnv);
    open.push(session);
    await session.waitFor(/MACHINE_NOT_FOUND/);
    expect((await session.exited).exitCode).not.toBe(0);
  });
});
