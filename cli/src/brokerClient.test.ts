import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkClosedError } from '../../common/client';
import {
  createTestCa,
  startBrokerStandIn,
  type BrokerStandIn,
  type TestCa,
} from '../../node-common/trust/testing/brokerStandIn';
import { createBrokerClient, linkFailure } from './brokerClient';
import type { ConnectionSettings } from './connection';
import { CliError } from './exitCodes';
import { TLS_HANDSHAKE_CLOSE_CODE } from './nodeSocketFactory';

// The HTTPS side of the client against a stand-in broker with the broker's own CA.

let ca: TestCa;
let other: TestCa;
let broker: BrokerStandIn;

beforeAll(async () => {
  [ca, other] = await Promise.all([createTestCa(), createTestCa()]);
  broker = await startBrokerStandIn(ca.server, [ca.rootPem]);
  broker.route('/api/v1/machines', (request) =>
    request.headers.authorization === 'Bearer ftk_good'
      ? { status: 200, body: { machines: [{ name: 'web-1', online: true, labels: {} }] } }
      : { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'The token is unknown.' } } },
  );
});
afterAll(async () => {
  await broker.close();
  ca.dispose();
  other.dispose();
});

function settings(token: string, roots: string[]): ConnectionSettings {
  return { httpBase: broker.url, wsUrl: `${broker.url.replace('https', 'wss')}/ws/console`, token, ca: roots };
}

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CliError)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

describe('broker client over https://', () => {
  it('lists machines from a broker that verifies against the pinned CA', async () => {
    const { machines } = await createBrokerClient(settings('ftk_good', [ca.rootPem])).listMachines();
    expect(machines.map((machine) => machine.name)).toEqual(['web-1']);
  });

  it("reports the broker's refusal of the token with exit 1", async () => {
    const error = await failure(createBrokerClient(settings('ftk_bad', [ca.rootPem])).listMachines());
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('UNAUTHORIZED: The token is unknown.');
  });

  it('refuses a broker whose certificate does not lead to the pinned CA with exit 4, pointing at `fleetterm trust`', async () => {
    const error = await failure(createBrokerClient(settings('ftk_good', [other.rootPem])).listMachines());
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`fleetterm trust --broker ${broker.url}`);
  });

  it('turns a TLS failure of the console link into exit 4', () => {
    const error = linkFailure(
      new LinkClosedError(TLS_HANDSHAKE_CLOSE_CODE, "the broker's certificate does not verify"),
      settings('ftk_good', [ca.rootPem]),
    );
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain('fleetterm trust --broker');
  });
});
