import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleLink } from '../common/client';
import { BIN, Fleet, runCommand } from './harness/fleet';
import { ManagedProcess } from './harness/managedProcess';
import { connectConsole } from './harness/operator';

/** Trust between the parts as processes: pinned enrolment, mutual TLS, revocation. */
describe('trust', () => {
  let fleet: Fleet;
  let link: ConsoleLink;

  beforeAll(async () => {
    fleet = await Fleet.start([{ name: 'kept-1' }, { name: 'doomed-1' }]);
    link = await connectConsole(fleet.url, fleet.operatorToken);
  });

  afterAll(async () => {
    link?.dispose();
    await fleet?.stop();
  });

  it('an agent refuses a broker whose CA does not match its pin, and enrols nothing', async () => {
    const token = await fleet.createEnrollToken('pinned-wrong');
    const wrongPin = `sha256/${Buffer.alloc(32, 7).toString('base64')}`;
    const args = fleet.agentArgs(token, `${fleet.dir}/pinned-wrong`);
    args[args.indexOf('--ca-pin') + 1] = wrongPin;
    const agent = ManagedProcess.start('pinned-wrong', args);
    expect((await agent.exit()).code).toBe(2);
    expect(agent.stderr.join('\n')).toContain('CA_PIN_MISMATCH');
    // The token was never sent: it still enrols the machine with the right pin.
    const right = ManagedProcess.start('pinned-right', fleet.agentArgs(token, `${fleet.dir}/pinned-right`));
    await right.waitForLog('connected');
    await right.stop();
  });

  it('revocation ends a live session within a second with the reason, and the agent stops for good', async () => {
    const channel = await link.open({ machine: 'doomed-1', mode: 'shell', cols: 80, rows: 24 });
    const closed = new Promise<{ code: string; message: string; at: number }>((resolve) =>
      channel.onClosed((event) => resolve({ ...event, at: Date.now() })),
    );
    const started = Date.now();
    const revoked = await runCommand(BIN.broker, ['machines', 'revoke', 'doomed-1', '--data', fleet.dataDir]);
    expect(revoked.stdout).toContain('Revoked machine doomed-1');
    const event = await closed;
    expect(event.code).toBe('MACHINE_REVOKED');
    expect(event.message).toContain('revoked by an admin');
    expect(event.at - started).toBeLessThan(1000 + 500); // the CLI process's own start-up is in this too
    const agent = fleet.agent('doomed-1').process;
    expect((await agent.exit()).code).toBe(3);
    expect(agent.stderr.join('\n')).toMatch(/revoked/);
    // The other machine is untouched.
    const other = await link.open({ machine: 'kept-1', mode: 'exec', command: 'echo still here', cols: 80, rows: 24 });
    await new Promise<void>((resolve) => other.onExit(() => resolve()));
  });
});
