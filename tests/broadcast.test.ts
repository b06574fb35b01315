import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleLink } from '../common/client';
import { Fleet } from './harness/fleet';
import { connectConsole, Transcript } from './harness/operator';

/** One broadcast frame reaches every named session. */
describe('broadcast input', () => {
  let fleet: Fleet;
  let link: ConsoleLink;
  const machines = ['bc-1', 'bc-2', 'bc-3'];

  beforeAll(async () => {
    fleet = await Fleet.start(machines.map((name) => ({ name })));
    link = await connectConsole(fleet.url, fleet.operatorToken);
  });

  afterAll(async () => {
    link?.dispose();
    await fleet?.stop();
  });

  it('types the same keys into three shells, each answering with its own name', async () => {
    const transcripts = await Promise.all(
      machines.map(async (machine) => new Transcript(await link.open({ machine, cols: 80, rows: 24 }))),
    );
    link.broadcast(
      transcripts.map((t) => t.channel),
      new TextEncoder().encode('echo "I am $FLEETTERM_MACHINE, sa""ying $((6*7))"\r'),
    );
    await Promise.all(transcripts.map((t, i) => t.waitFor(new RegExp(`I am ${machines[i]}, saying 42`))));
    for (const t of transcripts) t.channel.close();
    await Promise.all(transcripts.map((t) => t.exit));
  });

  it('leaves out a session that is not named', async () => {
    const [a, b] = await Promise.all(
      machines.slice(0, 2).map(async (machine) => new Transcript(await link.open({ machine, cols: 80, rows: 24 }))),
    );
    link.broadcast([a!.channel], new TextEncoder().encode('echo only-$((1+1))-here\r'));
    await a!.waitFor(/only-2-here/);
    b!.channel.write('echo done-$((3+3))\r');
    await b!.waitFor(/done-6/);
    expect(b!.text).not.toContain('only-');
    a!.channel.close();
    b!.channel.close();
  });
});
