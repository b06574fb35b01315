import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Fleet, runCommand } from './harness/fleet';

interface MachineRow {
  name: string;
  online: boolean;
}

/** Agents come back by themselves after either side of their link dies. */
describe('reconnecting agents', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await Fleet.start([{ name: 'edge-1' }, { name: 'edge-2' }]);
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  async function online(): Promise<Record<string, boolean>> {
    const { stdout } = await runCommand(BIN.cli, ['ls', '--json'], fleet.clientEnv);
    const { machines } = JSON.parse(stdout) as { machines: MachineRow[] };
    return Object.fromEntries(machines.map((m) => [m.name, m.online]));
  }

  it('shows a killed agent offline, and online again once it is restarted', async () => {
    const agent = fleet.agent('edge-1');
    await agent.process.kill();
    await fleet.broker.waitForLog((r) => r.msg === 'agent disconnected' && r.machine === 'edge-1');
    expect(await online()).toEqual({ 'edge-1': false, 'edge-2': true });
    await agent.restart();
    expect(await online()).toEqual({ 'edge-1': true, 'edge-2': true });
  });

  it('reconnects every agent by itself after a broker restart', async () => {
    const agents = [...fleet.agents.values()];
    const marks = agents.map((agent) => agent.process.records.length);
    await fleet.restartBroker();
    await Promise.all(agents.map((agent, i) => agent.process.waitForLog('connected', 20_000, marks[i])));
    expect(await online()).toEqual({ 'edge-1': true, 'edge-2': true });
  });
});
