import { afterEach, describe, expect, it } from 'vitest';
import { encodeDataFrame } from '../../../common/protocol';
import { openSession } from '../testing/sessions';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
afterEach(() => t.close());

describe('late frames on agent channels released long ago', () => {
  it('are dropped quietly after 1000 attach/detach cycles: the agent link stays up', async () => {
    t = await TestBroker.start();
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    const { sessionId, agentChannel: first } = await openSession(console, agent, 'web-1', 1);
    console.send({ type: 'detach', channel: 1 });
    await agent.next('detach');
    const released = [first];
    for (let i = 0; i < 1000; i++) {
      console.send({ type: 'attach', channel: 1, sessionId, offset: 0 });
      const attach = await agent.next<{ type: 'attach'; channel: number }>('attach');
      agent.send({ type: 'opened', channel: attach.channel, sessionId, loginUser: 'alice', offset: 0 });
      await console.next('opened');
      console.send({ type: 'detach', channel: 1 });
      await agent.next('detach');
      released.push(attach.channel);
    }

    // Far more late frames on the oldest channels than the invalid-frame budget (10) allows.
    for (const channel of released.slice(0, 50)) {
      agent.sendBinary(encodeDataFrame({ type: 'output', channel, offset: 0, payload: Buffer.from('late') }));
      agent.send({ type: 'closed', channel, code: 'AGENT_SHUTDOWN', message: 'late', resumable: true });
      agent.send({ type: 'exit', channel, code: 0, signal: null, offset: 0 });
    }
    // The link still works, and nothing was reported as invalid.
    const { agentChannel } = await openSession(console, agent, 'web-1', 2);
    expect(agentChannel).toBeGreaterThan(released.at(-1) ?? 0);
    expect(agent.pending()).toEqual([]);
    expect(agent.ws.readyState).toBe(agent.ws.OPEN);
    // A late exit for a forgotten channel does not end the session: the agent reports that with `ended`.
    expect(t.store.findSession(sessionId)?.endedAt).toBeNull();
  });

  it('a channel id never allocated is still unknown', async () => {
    t = await TestBroker.start();
    const agent = await t.agent((await t.enroll('web-1')).identity);
    agent.send({ type: 'exit', channel: 99, code: 0, signal: null, offset: 0 });
    expect(await agent.next('error')).toMatchObject({ code: 'UNKNOWN_CHANNEL', channel: 99 });
  });
});
