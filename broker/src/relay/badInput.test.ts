import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CloseCode,
  decodeBinaryFrame,
  encodeDataFrame,
  MAX_DATA_PAYLOAD_BYTES,
  MAX_FRAME_BYTES,
  MAX_INVALID_FRAMES,
} from '../../../common/protocol';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';
import type { WsPeer } from '../testing/wsPeer';

/**
 * Bad input gets its documented error, the link survives up to the invalid
 * frame budget, and a bystander's session keeps working after every case.
 */
let t: TestBroker;
let agent: WsPeer;
let token: string;
let bystander: WsPeer;
let bystanderAgentChannel: number;

beforeEach(async () => {
  t = await TestBroker.start();
  agent = await t.agent((await t.enroll('web-1')).identity);
  token = t.apiToken('operator', 'alice');
  bystander = await t.console(t.apiToken('operator', 'bob'));
  bystanderAgentChannel = (await openSession(bystander, agent, 'web-1', 1)).agentChannel;
});

afterEach(async () => {
  // The bystander's session still relays both ways.
  agent.sendBinary(
    encodeDataFrame({ type: 'output', channel: bystanderAgentChannel, offset: 0, payload: Buffer.from('ok') }),
  );
  const output = decodeBinaryFrame(await bystander.nextBinary());
  expect(output.ok && Buffer.from(output.value.payload).toString()).toBe('ok');
  bystander.sendBinary(encodeDataFrame({ type: 'input', channel: 1, offset: 0, payload: Buffer.from('y') }));
  const input = decodeBinaryFrame(await agent.nextBinary());
  expect(input.ok && input.value).toMatchObject({ type: 'input', channel: bystanderAgentChannel });
  expect(bystander.pending()).toEqual([]);
  await t.close();
});

const bytes = (...values: number[]) => new Uint8Array(values);

describe('a console link', () => {
  it('answers a malformed binary frame with BAD_FRAME and survives', async () => {
    const console = await t.console(token);
    console.sendBinary(bytes(1, 2, 3));
    expect(await console.next('error')).toMatchObject({ code: 'BAD_FRAME' });
    const header = new Uint8Array(14);
    header[0] = 9; // unknown kind
    console.sendBinary(header);
    expect(await console.next('error')).toMatchObject({ code: 'BAD_FRAME' });
    await openSession(console, agent, 'web-1', 1);
  });

  it('answers garbage JSON and schema violations with BAD_MESSAGE', async () => {
    const console = await t.console(token);
    for (const text of [
      '{"type": "open",',
      'null',
      '{"type":"teleport"}',
      '{"type":"resize","channel":1,"cols":0,"rows":9}',
    ]) {
      console.send(text);
      expect(await console.next('error')).toMatchObject({ code: 'BAD_MESSAGE' });
    }
  });

  it('answers a data payload over the limit with FRAME_TOO_LARGE, and a message over maxPayload with 1009', async () => {
    const console = await t.console(token);
    const big = new Uint8Array(14 + MAX_DATA_PAYLOAD_BYTES + 1);
    big[0] = 2;
    big[5] = 1;
    console.sendBinary(big);
    expect(await console.next('error')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    console.send(JSON.stringify({ type: 'ack', channel: 1, offset: 0, pad: 'x'.repeat(20_000) }));
    expect(await console.next('error')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    console.sendBinary(new Uint8Array(MAX_FRAME_BYTES + 1));
    expect((await console.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
  });

  it('answers input, resize or ack on an unknown channel with UNKNOWN_CHANNEL', async () => {
    const console = await t.console(token);
    console.sendBinary(encodeDataFrame({ type: 'input', channel: 42, offset: 0, payload: bytes(65) }));
    expect(await console.next('error')).toMatchObject({ code: 'UNKNOWN_CHANNEL', channel: 42 });
    console.send({ type: 'resize', channel: 43, cols: 80, rows: 24 });
    expect(await console.next('error')).toMatchObject({ code: 'UNKNOWN_CHANNEL', channel: 43 });
  });

  it('refuses output frames and a second hello with UNEXPECTED_MESSAGE', async () => {
    const console = await t.console(token);
    console.sendBinary(encodeDataFrame({ type: 'output', channel: 1, offset: 0, payload: bytes(65) }));
    expect(await console.next('error')).toMatchObject({ code: 'UNEXPECTED_MESSAGE' });
    console.send({ type: 'hello', protocol: { major: 1, minor: 0 }, role: 'console', software: 'again' });
    expect(await console.next('error')).toMatchObject({ code: 'UNEXPECTED_MESSAGE' });
  });

  it(`is closed with 4000 after ${MAX_INVALID_FRAMES} invalid frames, each answered`, async () => {
    const console = await t.console(token);
    for (let i = 0; i < MAX_INVALID_FRAMES; i++) console.send('nonsense');
    expect((await console.closed).code).toBe(CloseCode.PROTOCOL_VIOLATION);
    expect(console.pending().filter((m) => m.code === 'BAD_MESSAGE')).toHaveLength(MAX_INVALID_FRAMES);
  });
});

describe('an agent link', () => {
  it('answers invalid frames with errors and is closed with 4000 when the budget is spent', async () => {
    const second = await t.enroll('web-2');
    const other = await t.agent(second.identity);
    other.sendBinary(bytes(0));
    expect(await other.next('error')).toMatchObject({ code: 'BAD_FRAME' });
    other.sendBinary(encodeDataFrame({ type: 'output', channel: 99, offset: 0, payload: bytes(1) }));
    expect(await other.next('error')).toMatchObject({ code: 'UNKNOWN_CHANNEL' });
    other.sendBinary(encodeDataFrame({ type: 'input', channel: 1, offset: 0, payload: bytes(1) }));
    expect(await other.next('error')).toMatchObject({ code: 'UNEXPECTED_MESSAGE' });
    for (let i = 3; i < MAX_INVALID_FRAMES; i++) other.send('{');
    expect((await other.closed).code).toBe(CloseCode.PROTOCOL_VIOLATION);
  });
});
