import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleLink } from '../common/client';
import { Fleet } from './harness/fleet';
import { connectConsole, Transcript } from './harness/operator';
import { TcpProxy } from './harness/tcpProxy';

/** A console whose link drops re-attaches to its sessions and loses nothing. */
describe('resume', () => {
  let fleet: Fleet;
  let proxy: TcpProxy;
  let link: ConsoleLink;

  beforeAll(async () => {
    fleet = await Fleet.start([{ name: 'long-1' }]);
    proxy = await TcpProxy.start(Number(new URL(fleet.url).port));
    link = await connectConsole(proxy.url, fleet.operatorToken);
  });

  afterAll(async () => {
    link?.dispose();
    await proxy?.close();
    await fleet?.stop();
  });

  it('re-attaches after the operator link is cut mid-stream, with no byte lost or repeated', async () => {
    const lines = 200_000;
    const channel = await link.open({ machine: 'long-1', mode: 'exec', command: `seq 1 ${lines}`, cols: 80, rows: 24 });
    const transcript = new Transcript(channel);
    const statuses: string[] = [];
    channel.onStatus((status) => statuses.push(status));
    // Cut the link as soon as output flows, twice, while the agent keeps producing.
    await transcript.waitFor(/\n1000\r?\n/);
    expect(proxy.cutAll()).toBeGreaterThan(0);
    await transcript.waitFor(/\n50000\r?\n/, 20_000);
    proxy.cutAll();
    expect((await transcript.exit).code).toBe(0);

    const expected = Array.from({ length: lines }, (_, i) => `${i + 1}\r\n`).join('');
    expect(transcript.lost).toEqual([]);
    expect(transcript.text.length).toBe(expected.length);
    expect(transcript.text === expected).toBe(true);
    expect(statuses).toContain('resuming');
  });

  it('delivers keys typed into a link that has just died, once', async () => {
    const transcript = new Transcript(await link.open({ machine: 'long-1', cols: 80, rows: 24 }));
    transcript.channel.write('echo ready-$((1+1))\r');
    await transcript.waitFor(/ready-2/);
    proxy.cutAll();
    // The client has not seen the cut yet: these keys go into a dead socket.
    transcript.channel.write('echo typed-during-cut-$((2+3))\r');
    await transcript.waitFor(/typed-during-cut-5/);
    transcript.channel.write('echo after-$((3+3))\r');
    await transcript.waitFor(/after-6/);
    expect(transcript.text.match(/typed-during-cut-5/g)).toHaveLength(1);
    transcript.channel.close();
  });

  it('re-attaches an idle shell, which keeps its state', async () => {
    const transcript = new Transcript(await link.open({ machine: 'long-1', cols: 80, rows: 24 }));
    transcript.channel.write('KEPT=$((20+1))\r');
    transcript.channel.write('echo set-$KEPT\r');
    await transcript.waitFor(/set-21/);
    const reattached = new Promise<void>((resolve) =>
      transcript.channel.onStatus((status) => status === 'open' && resolve()),
    );
    proxy.cutAll();
    await reattached;
    transcript.channel.write('echo still-$KEPT\r');
    await transcript.waitFor(/still-21/);
    transcript.channel.close();
  });
});
