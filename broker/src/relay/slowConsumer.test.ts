import { afterEach, describe, expect, it } from 'vitest';
import { encodeDataFrame, MAX_DATA_PAYLOAD_BYTES } from '../../../common/protocol';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
afterEach(() => t.close());

describe('a console that stops reading its output', () => {
  it('is dropped once its socket buffer passes the limit, and its sessions are detached for resume', async () => {
    const limit = 1024 * 1024;
    t = await TestBroker.start({ maxConsoleBufferedBytes: limit });
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const slow = await t.console(t.apiToken('operator', 'alice'));
    const { agentChannel, sessionId } = await openSession(slow, agent, 'web-1', 1);
    // Stop reading at the TCP level: the broker's writes back up into ws's bufferedAmount.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    let detached = false;
    const detach = agent
      .next('detach', (m) => m.channel === agentChannel)
      .then((message) => {
        detached = true;
        return message;
      });
    const chunk = new Uint8Array(MAX_DATA_PAYLOAD_BYTES);
    let offset = 0;
    while (!detached) {
      agent.sendBinary(encodeDataFrame({ type: 'output', channel: agentChannel, offset, payload: chunk }));
      offset += chunk.byteLength;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await detach).toEqual({ type: 'detach', channel: agentChannel });
    expect(offset).toBeGreaterThan(limit);
    expect(t.store.findSession(sessionId)?.endedAt).toBeNull();
  });
});
