import { afterEach, describe, expect, it } from 'vitest';
import { encodeBroadcastFrame, encodeDataFrame, MAX_DATA_PAYLOAD_BYTES } from '../../../common/protocol';
import { captureLogger } from '../testing/captureLogger';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';
import type { WsPeer } from '../testing/wsPeer';

let t: TestBroker;
afterEach(() => t.close());

/** Stops reading at the TCP level: the broker's writes to this peer back up into ws's bufferedAmount. */
function stopReading(peer: WsPeer): { resume(): void } {
  const socket = (peer.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  socket.pause();
  return { resume: () => socket.resume() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('a console whose input overruns an agent that does not read it', () => {
  for (const kind of ['input', 'broadcast'] as const) {
    it(`is closed with 4006 (${kind} frames) and its sessions stay on the agent for resume`, async () => {
      const limit = 512 * 1024;
      t = await TestBroker.start({ maxAgentBufferedBytes: limit });
      const agent = await t.agent((await t.enroll('web-1')).identity);
      const typist = await t.console(t.apiToken('operator', 'alice'));
      const { sessionId } = await openSession(typist, agent, 'web-1', 1);
      stopReading(agent);

      let closed: { code: number; reason: string } | undefined;
      void typist.closed.then((result) => (closed = result));
      const payload = new Uint8Array(MAX_DATA_PAYLOAD_BYTES);
      const frame =
        kind === 'input'
          ? encodeDataFrame({ type: 'input', channel: 1, offset: 0, payload })
          : encodeBroadcastFrame({ type: 'broadcast', channels: [1], payload });
      let sent = 0;
      while (!closed) {
        typist.sendBinary(frame);
        sent += payload.byteLength;
        await tick();
      }
      expect(closed).toEqual({ code: 4006, reason: expect.stringContaining('input overran machine "web-1"') });
      expect(sent).toBeGreaterThan(limit);
      // Only the console went: the agent link is open and the session kept.
      expect(agent.ws.readyState).toBe(agent.ws.OPEN);
      expect(t.store.findSession(sessionId)?.endedAt).toBeNull();
    });
  }
});

describe('a console that sends requests but does not read the replies', () => {
  it('is closed with 4005 once its socket buffer passes the limit', async () => {
    const { logger, records } = captureLogger();
    t = await TestBroker.start({ logger, maxConsoleBufferedBytes: 64 * 1024 });
    const deaf = await t.console(t.apiToken('operator', 'alice'));
    const reading = stopReading(deaf);
    const name = 'm'.repeat(60);
    let channel = 0;
    while (!records.some((record) => record.msg === 'slow consumer')) {
      // Every open names an unknown machine and gets a MACHINE_NOT_FOUND reply.
      for (let i = 0; i < 500; i++) deaf.send({ type: 'open', channel: channel++, machine: name, cols: 80, rows: 24 });
      await tick();
    }
    reading.resume();
    expect(await deaf.closed).toMatchObject({ code: 4005 });
  });
});
