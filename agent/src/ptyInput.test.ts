import { createHash } from 'node:crypto';
import * as pty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { writePtyInput } from './ptyInput';

const terms: pty.IPty[] = [];

/** `stty raw -echo` then `command`, in a real PTY, with output as bytes. */
function spawn(command: string): { term: pty.IPty; output: () => string; exited: Promise<number> } {
  const term = pty.spawn('/bin/sh', ['-c', `stty raw -echo; ${command}`], { encoding: null, cols: 80, rows: 24 });
  terms.push(term);
  const chunks: Buffer[] = [];
  term.onData((data) => chunks.push(data as unknown as Buffer));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return { term, output: () => Buffer.concat(chunks).toString('latin1'), exited };
}

const queued = (term: pty.IPty) =>
  (term as unknown as { _writeStream: { _writeQueue: unknown[] } })._writeStream._writeQueue.length;

afterEach(() => {
  for (const term of terms.splice(0)) term.kill();
});

describe('writePtyInput', () => {
  it('writes a keystroke to the PTY at once, without queueing it in node-pty', async () => {
    const { term, output } = spawn('echo READY; exec cat');
    await expect.poll(output).toContain('READY');
    writePtyInput(term, Buffer.from('k'));
    expect(queued(term)).toBe(0);
    await expect.poll(() => output().endsWith('k')).toBe(true);
  });

  it('keeps the order of a paste larger than the kernel takes at once (node-pty queues the rest)', async () => {
    const size = 2_000_000;
    const { term, output, exited } = spawn(`echo READY; head -c ${size} | sha256sum`);
    await expect.poll(output).toContain('READY');
    const input = Buffer.alloc(size);
    for (let i = 0; i < size; i++) input[i] = 97 + ((i * 7 + (i >> 10)) % 26);
    let sawQueue = false;
    // Big chunks fill the kernel's buffer; the small ones between them must wait their turn.
    for (let at = 0; at < size;) {
      const length = at % 3 === 0 ? 65_536 : 1;
      writePtyInput(term, input.subarray(at, Math.min(size, at + length)));
      sawQueue ||= queued(term) > 0;
      at += length;
    }
    expect(sawQueue).toBe(true);
    expect(await exited).toBe(0);
    expect(output()).toContain(createHash('sha256').update(input).digest('hex'));
  });
});
