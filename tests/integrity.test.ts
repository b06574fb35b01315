import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleLink } from '../common/client';
import { Fleet } from './harness/fleet';
import { connectConsole, execOn } from './harness/operator';

/** Bytes arrive whole, in order, and none are lost at the end of a session. */
describe('output integrity', () => {
  let fleet: Fleet;
  let link: ConsoleLink;

  beforeAll(async () => {
    // Five sessions at once, more than the default per-operator limit of four.
    fleet = await Fleet.start([{ name: 'data-1', config: { max_shells_per_operator: 8 } }]);
    link = await connectConsole(fleet.url, fleet.operatorToken);
  });

  afterAll(async () => {
    link?.dispose();
    await fleet?.stop();
  });

  it('delivers 1 MiB of random bytes, base64-encoded on the device, intact', async () => {
    const command =
      'f=$(mktemp); head -c 1048576 /dev/urandom > "$f"; base64 "$f"; echo "SHA256=$(sha256sum < "$f" | cut -d" " -f1)"; rm -f "$f"';
    const transcript = await execOn(link, 'data-1', command);
    expect(await transcript.exit).toMatchObject({ code: 0 });
    const text = transcript.text.replace(/\r/g, '');
    const [, remoteHash] = text.match(/SHA256=([0-9a-f]{64})/) ?? [];
    const base64 = text.slice(0, text.indexOf('SHA256=')).replace(/\n/g, '');
    const received = Buffer.from(base64, 'base64');
    expect(received.byteLength).toBe(1048576);
    expect(createHash('sha256').update(received).digest('hex')).toBe(remoteHash);
  });

  it('loses no byte at the end of a command that prints 100 KB and exits at once, 50 times', async () => {
    const size = 100 * 1024;
    const command = `head -c ${size} /dev/zero | tr '\\0' x`;
    const counts: number[] = [];
    // Five at a time: enough to overlap exits with output, few enough for two cores.
    for (let round = 0; round < 10; round++) {
      const transcripts = await Promise.all(Array.from({ length: 5 }, () => execOn(link, 'data-1', command)));
      for (const t of transcripts) counts.push(t.bytes.filter((b) => b === 0x78).length);
    }
    expect(counts).toEqual(Array.from({ length: 50 }, () => size));
  });
});
