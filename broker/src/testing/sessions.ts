import type { WsPeer } from './wsPeer';

export interface OpenedSession {
  sessionId: string;
  /** The channel the broker chose on the agent link. */
  agentChannel: number;
}

/**
 * Opens a session from `console` on `consoleChannel` and answers as the
 * fake agent would; resolves once the console has its `opened`.
 */
export async function openSession(
  console: WsPeer,
  agent: WsPeer,
  machine: string,
  consoleChannel: number,
): Promise<OpenedSession> {
  console.send({ type: 'open', channel: consoleChannel, machine, cols: 80, rows: 24 });
  const open = await agent.next<{ type: 'open'; channel: number; sessionId: string }>('open');
  agent.send({ type: 'opened', channel: open.channel, sessionId: open.sessionId, loginUser: 'alice', offset: 0 });
  await console.next('opened', (m) => m.channel === consoleChannel);
  return { sessionId: open.sessionId, agentChannel: open.channel };
}
