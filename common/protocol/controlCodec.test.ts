import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAgentToBroker,
  decodeBrokerToAgent,
  decodeBrokerToConsole,
  decodeConsoleToBroker,
  encodeMessage,
} from './controlCodec';
import { MAX_CONTROL_MESSAGE_CHARS } from './limits';
import type { AgentOpen, ConsoleOpen, Exit, Hello } from './messages';
import { PROTOCOL_VERSION } from './version';

const hello: Hello = {
  type: 'hello',
  protocol: { ...PROTOCOL_VERSION },
  role: 'console',
  software: 'fleetterm/0.1.0',
  capabilities: [],
};

describe('control messages', () => {
  it('round-trip each direction', () => {
    const open: ConsoleOpen = { type: 'open', channel: 1, machine: 'web-1', mode: 'shell', cols: 80, rows: 24 };
    const agentOpen: AgentOpen = {
      type: 'open',
      channel: 5,
      sessionId: 'abcdef12',
      operator: 'ops',
      mode: 'exec',
      command: 'uptime',
      cols: 80,
      rows: 24,
    };
    const exit: Exit = { type: 'exit', channel: 5, code: 3, signal: null, offset: 10 };
    expect(decodeConsoleToBroker(encodeMessage(hello))).toEqual({ ok: true, value: hello });
    expect(decodeConsoleToBroker(encodeMessage(open))).toEqual({ ok: true, value: open });
    expect(decodeBrokerToAgent(encodeMessage(agentOpen))).toEqual({ ok: true, value: agentOpen });
    expect(decodeAgentToBroker(encodeMessage(exit))).toEqual({ ok: true, value: exit });
    expect(decodeBrokerToConsole(encodeMessage(exit))).toEqual({ ok: true, value: exit });
  });

  it('fill defaults: an open without mode is a shell', () => {
    const decoded = decodeConsoleToBroker('{"type":"open","channel":1,"machine":"a","cols":80,"rows":24}');
    expect(decoded).toMatchObject({ ok: true, value: { mode: 'shell' } });
  });

  it('refuse a message in the wrong direction', () => {
    const opened = { type: 'opened', channel: 1, sessionId: 'abcdef12', machine: 'a', loginUser: 'root', offset: 0 };
    expect(decodeConsoleToBroker(JSON.stringify(opened))).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
  });

  it('say which field is wrong', () => {
    const decoded = decodeConsoleToBroker('{"type":"resize","channel":1,"cols":0,"rows":24}');
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.message).toContain('cols');
  });

  it('refuse garbage JSON, oversized text and bad machine names', () => {
    expect(decodeConsoleToBroker('{nope')).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
    expect(decodeConsoleToBroker('x'.repeat(MAX_CONTROL_MESSAGE_CHARS + 1))).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE' },
    });
    expect(decodeConsoleToBroker('{"type":"open","channel":1,"machine":"../etc","cols":80,"rows":24}')).toMatchObject({
      ok: false,
    });
  });

  it('never throw on arbitrary text or JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const decode of [decodeConsoleToBroker, decodeBrokerToConsole, decodeBrokerToAgent, decodeAgentToBroker]) {
          expect(() => decode(text)).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throw on arbitrary objects that claim a known type', () => {
    const types = [
      'hello',
      'open',
      'attach',
      'resize',
      'ack',
      'close',
      'detach',
      'opened',
      'exit',
      'closed',
      'error',
      'welcome',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.dictionary(fc.string(), fc.jsonValue()), (type, rest) => {
        const text = JSON.stringify({ ...rest, type });
        for (const decode of [decodeConsoleToBroker, decodeBrokerToConsole, decodeBrokerToAgent, decodeAgentToBroker]) {
          expect(() => decode(text)).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });
});
