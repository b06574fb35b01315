import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FLOW_HIGH_WATERMARK_BYTES } from '../../common/protocol';
import type { PtySession } from './ptySession';
import { SessionProbe, spawnSession } from './testing/sessionProbe';
import { isGone, waitFor } from './testing/waitFor';

const sessions: PtySession[] = [];

function start(...args: Parameters<typeof spawnSession>): PtySession {
  const session = spawnSession(...args);
  sessions.push(session);
  return session;
}

function shell(): SessionProbe {
  return new SessionProbe(start({ mode: 'shell', env: { HOME: '/tmp', PATH: '/usr/bin:/bin', PS1: '$ ' } }));
}

afterEach(async () => {
  // Every test leaves its sessions ended; a failed one is ended here.
  const running = sessions.splice(0).filter((s) => s.running);
  await Promise.all(running.map((s) => new Promise((resolve) => (s.onEnd(resolve), s.terminate()))));
});

describe('PtySession', () => {
  it('runs a command and reports its output, from offset 0, then its exit code', async () => {
    const probe = new SessionProbe(start({ command: 'echo hello-$((40+2))' }));
    const end = await probe.ended;
    expect(probe.start).toBe(0);
    expect(probe.text).toBe('hello-42\r\n');
    expect(end).toEqual({ code: 0, signal: null, offset: 10 });
    expect(probe.gap).toBeUndefined();
  });

  it('gives the exit code of `exit 3` in a login shell', async () => {
    const probe = shell();
    probe.type('exit 3\r');
    expect(await probe.ended).toMatchObject({ code: 3, signal: null });
  });

  it('changes the terminal size on resize, as `stty size` shows', async () => {
    const probe = shell();
    probe.type('stty size; echo =$((1+1))\r');
    await probe.waitForText('24 80\r\n=2');
    probe.session.resize(132, 43);
    probe.type('stty size; echo =$((2+2))\r');
    await probe.waitForText('43 132\r\n=4');
    probe.type('exit\r');
    await probe.ended;
  });

  it('delivers Ctrl-C to the foreground process: it interrupts `sleep 100`', async () => {
    const probe = shell();
    probe.type('sleep 100\r');
    await waitFor(() => probe.session.foregroundProcess === 'sleep', 'sleep in the foreground');
    probe.type('\x03');
    probe.type('echo status=$?\r');
    await probe.waitForText('status=130');
    probe.type('exit\r');
    expect((await probe.ended).code).toBe(0);
  });

  it('keeps bytes as bytes: invalid UTF-8 and NULs arrive unchanged', async () => {
    const probe = new SessionProbe(start({ command: "printf '\\377\\000\\303'" }));
    await probe.ended;
    expect([...probe.buffer]).toEqual([0xff, 0x00, 0xc3]);
  });

  it('loses no byte at the end of a command that prints 100 KB and exits at once (50 runs)', async () => {
    const size = 100_000;
    const runs = Array.from({ length: 50 }, () => 0);
    for (let round = 0; round < runs.length; round += 5) {
      const batch = Array.from({ length: 5 }, () => {
        const probe = new SessionProbe(start({ command: `head -c ${size} /dev/zero | tr '\\0' x` }));
        return probe.ended.then((end) => ({ end, probe }));
      });
      for (const [i, { end, probe }] of (await Promise.all(batch)).entries()) {
        runs[round + i] = probe.bytes;
        expect(end.offset).toBe(probe.bytes);
      }
    }
    expect(runs.every((bytes) => bytes === size)).toBe(true);
  });

  it('delivers a large output whole and in order (checksum)', async () => {
    const probe = new SessionProbe(start({ command: 'seq 1 300000' }), 0, true);
    await probe.ended;
    const expected = Array.from({ length: 300_000 }, (_, i) => `${i + 1}\r\n`).join('');
    const digest = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
    expect(probe.gap).toBeUndefined();
    expect(digest(probe.buffer)).toBe(digest(expected));
  });

  it('pauses the PTY when unacknowledged output passes the high watermark, and resumes on ack', async () => {
    const probe = new SessionProbe(start({ command: `head -c ${3 * FLOW_HIGH_WATERMARK_BYTES} /dev/zero` }));
    await waitFor(() => probe.session.isPaused, 'flow control to pause the PTY');
    expect(probe.bytes).toBeGreaterThan(FLOW_HIGH_WATERMARK_BYTES);
    expect(probe.bytes).toBeLessThan(FLOW_HIGH_WATERMARK_BYTES + 256 * 1024);
    // A console acknowledging what it has consumed lets the rest through.
    probe.session.ack(probe.bytes);
    const acking = setInterval(() => probe.session.ack(probe.start + probe.bytes), 5);
    const end = await probe.ended;
    clearInterval(acking);
    expect(probe.bytes).toBe(3 * FLOW_HIGH_WATERMARK_BYTES);
    expect(end.offset).toBe(3 * FLOW_HIGH_WATERMARK_BYTES);
  });

  it('delivers output held back by flow control when the process exits, before the exit', async () => {
    // A small window so the pause comes first; `read` then lets the command end while paused.
    // No echo: the typed Enter reaches the PTY at once and would otherwise be echoed between
    // a's that `tr` is still writing (as any terminal shows typing during output).
    const session = start({
      command: "stty -echo; head -c 2000 /dev/zero | tr '\\0' a; read x; printf tail-end",
      flowHighWatermark: 1000,
      flowLowWatermark: 500,
    });
    const probe = new SessionProbe(session);
    await waitFor(() => session.isPaused, 'flow control to pause the PTY');
    const seenWhilePaused = probe.bytes;
    probe.type('\r');
    const end = await probe.ended;
    expect(seenWhilePaused).toBeLessThan(2000 + 8);
    expect(probe.text).toBe(`${'a'.repeat(2000)}tail-end`);
    expect(end).toMatchObject({ code: 0, offset: 2008 });
    // The consumer acknowledges at its pace afterwards; nothing more is owed.
    session.ack(end.offset);
    expect(probe.bytes).toBe(end.offset);
  });

  it('keeps output in the replay buffer while detached, pausing so nothing is lost', async () => {
    const total = 3 * FLOW_HIGH_WATERMARK_BYTES;
    const session = start({ command: `head -c ${total} /dev/urandom | base64 -w 76; echo done` });
    await waitFor(() => session.isPaused, 'the detached session to pause');
    expect(session.offset).toBeLessThan(FLOW_HIGH_WATERMARK_BYTES + 256 * 1024);
    const probe = new SessionProbe(session, 0);
    expect(probe.start).toBe(0);
    const acking = setInterval(() => session.ack(probe.start + probe.bytes), 5);
    await probe.ended;
    clearInterval(acking);
    expect(probe.gap).toBeUndefined();
    const lines = probe.text.split('\r\n');
    expect(lines.at(-2)).toBe('done');
    expect(Buffer.from(lines.slice(0, -2).join(''), 'base64').byteLength).toBe(total);
  });

  it('ends the whole process group on terminate, background children included', async () => {
    const probe = new SessionProbe(start({ command: 'sleep 1000 & echo bg=$!; wait' }));
    await probe.waitForText(/bg=\d+\r\n/);
    const child = Number(/bg=(\d+)/.exec(probe.text)![1]);
    probe.session.terminate();
    const end = await probe.ended;
    expect(end).toMatchObject({ code: null, signal: 'SIGHUP' });
    await waitFor(() => isGone(child), 'the background sleep to be gone', 5000);
  });

  it('ends an interactive shell’s background jobs too (they have process groups of their own)', async () => {
    const probe = shell();
    probe.type('sleep 1000 & echo job=$!\r');
    await probe.waitForText(/job=\d+\r\n/);
    const job = Number(/job=(\d+)/.exec(probe.text)![1]);
    probe.session.terminate({ code: 'IDLE_TIMEOUT', message: 'idle' });
    const end = await probe.ended;
    expect(end.reason).toEqual({ code: 'IDLE_TIMEOUT', message: 'idle' });
    await waitFor(() => isGone(job), 'the background job to be gone', 5000);
  });

  it('kills what ignores the hang-up with SIGKILL after the grace period', async () => {
    const probe = new SessionProbe(start({ command: "trap '' HUP; sleep 1000 & echo bg=$!; wait" }));
    await probe.waitForText(/bg=\d+\r\n/);
    const child = Number(/bg=(\d+)/.exec(probe.text)![1]);
    const started = Date.now();
    probe.session.terminate();
    expect(await probe.ended).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    await waitFor(() => isGone(child), 'the background sleep to be gone', 5000);
  });

  it('reports a signal that killed the process by name', async () => {
    const probe = new SessionProbe(start({ command: 'kill -TERM $$' }));
    expect(await probe.ended).toMatchObject({ code: null, signal: 'SIGTERM' });
  });
});
