import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConsoleLink } from '../common/client';
import { encodeDataFrame, MAX_FRAME_BYTES } from '../common/protocol';
import { BIN, Fleet, runCommand } from './harness/fleet';
import { ManagedProcess } from './harness/managedProcess';
import { connectConsole, Transcript } from './harness/operator';

type Failure = { code: number; stdout: string; stderr: string };

/**
 * Bad input at every boundary gets its documented error, the broker stays
 * up, and a session already running is not disturbed.
 */
describe('bad input', () => {
  let fleet: Fleet;
  let link: ConsoleLink;
  let bystander: Transcript;

  beforeAll(async () => {
    fleet = await Fleet.start([{ name: 'steady-1' }]);
    link = await connectConsole(fleet.url, fleet.operatorToken);
    bystander = new Transcript(await link.open({ machine: 'steady-1', cols: 80, rows: 24 }));
  });

  afterAll(async () => {
    link?.dispose();
    await fleet?.stop();
  });

  /** The bystander session still answers. */
  async function bystanderAnswers(tag: string): Promise<void> {
    bystander.channel.write(`echo alive-${tag}-$((1+1))\r`);
    await bystander.waitFor(new RegExp(`alive-${tag}-2`));
  }

  /** A raw console socket, to send what no client of ours would. */
  async function rawConsole(): Promise<{ ws: WebSocket; messages: string[]; closed: Promise<number> }> {
    const ws = new WebSocket(`${fleet.url.replace('http', 'ws')}/ws/console`, {
      headers: { authorization: `Bearer ${fleet.operatorToken}` },
      origin: fleet.url,
    });
    const messages: string[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) messages.push(String(data));
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return { ws, messages, closed };
  }

  function hello(major = 1) {
    return JSON.stringify({
      type: 'hello',
      protocol: { major, minor: 0 },
      role: 'console',
      software: 'raw/0',
      capabilities: [],
    });
  }

  async function nextError(messages: string[], count: number): Promise<Array<{ code: string }>> {
    await expect.poll(() => messages.filter((m) => m.includes('"error"')).length).toBeGreaterThanOrEqual(count);
    return messages.map((m) => JSON.parse(m) as { type: string; code: string }).filter((m) => m.type === 'error');
  }

  it('answers malformed frames, garbage JSON and unknown channels with their errors, then closes after ten', async () => {
    const { ws, messages, closed } = await rawConsole();
    ws.send(hello());
    await expect.poll(() => messages.some((m) => m.includes('"welcome"'))).toBe(true);
    ws.send(Buffer.from([9, 9, 9]));
    ws.send('{not json');
    ws.send(JSON.stringify({ type: 'resize', channel: 77, cols: 80, rows: 24 }));
    ws.send(encodeDataFrame({ type: 'input', channel: 77, offset: 0, payload: new Uint8Array([65]) }));
    const errors = await nextError(messages, 4);
    expect(errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'BAD_MESSAGE', 'UNKNOWN_CHANNEL', 'UNKNOWN_CHANNEL']);
    await bystanderAnswers('a');
    for (let i = 0; i < 10; i++) ws.send('garbage');
    expect(await closed).toBe(4000);
    await bystanderAnswers('b');
  });

  it('closes a link that sends an oversized frame with 1009', async () => {
    const { ws, closed } = await rawConsole();
    ws.send(hello());
    ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    await bystanderAnswers('c');
  });

  it('refuses another major protocol version with 4002', async () => {
    const { ws, messages, closed } = await rawConsole();
    ws.send(hello(99));
    expect(await closed).toBe(4002);
    expect(messages.join()).toContain('VERSION_UNSUPPORTED');
    await bystanderAnswers('d');
  });

  it('refuses a wrong API token with its reason and exit code 1', async () => {
    const failed = (await runCommand(BIN.cli, ['ls'], { ...fleet.clientEnv, FLEETTERM_TOKEN: 'ftk_wrong' }).catch(
      (e: Failure) => e,
    )) as Failure;
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('UNAUTHORIZED');
  });

  it('refuses a reused enrolment token, naming why', async () => {
    const token = await fleet.createEnrollToken('once-only');
    const agentArgs = (state: string) => fleet.agentArgs(token, `${fleet.dir}/${state}`);
    const first = ManagedProcess.start('first', agentArgs('once-a'));
    await first.waitForLog('connected');
    const second = ManagedProcess.start('second', agentArgs('once-b'));
    expect((await second.exit()).code).toBe(2);
    expect([...second.stderr, ...second.records.map((r) => JSON.stringify(r))].join('\n')).toContain(
      'ENROLL_TOKEN_USED',
    );
    await first.stop();
  });

  it('refuses an expired enrolment token, naming why', async () => {
    const token = await fleet.createEnrollToken('too-late', {}, ['--ttl', '1ms']);
    const agent = ManagedProcess.start('late', fleet.agentArgs(token, `${fleet.dir}/late`));
    expect((await agent.exit()).code).toBe(2);
    expect([...agent.stderr, ...agent.records.map((r) => JSON.stringify(r))].join('\n')).toContain(
      'ENROLL_TOKEN_EXPIRED',
    );
    await bystanderAnswers('e');
  });
});
