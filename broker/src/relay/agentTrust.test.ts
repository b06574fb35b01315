import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../../common/protocol';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '../../../node-common/pki';
import { runCli } from '../commands/program';
import { CertificateAuthority } from '../pki/certificateAuthority';
import { openSession } from '../testing/sessions';
import { agentTlsOptions, TestBroker, type AgentTlsIdentity } from '../testing/testBroker';
import { WsPeer } from '../testing/wsPeer';

let t: TestBroker;
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

/** `fleetterm-broker ARGS…` in-process against the test broker's data, as an admin runs it beside `serve`. */
async function brokerCli(...args: string[]): Promise<number> {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await runCli(['node', 'fleetterm-broker', ...args, '--data', t.dataDir]);
  vi.restoreAllMocks();
  return code;
}

/** The TLS handshake fails: the broker refuses the certificate before any HTTP is spoken. */
async function expectHandshakeRefused(identity: AgentTlsIdentity | undefined, ca = t.caRoots()): Promise<void> {
  const attempt = WsPeer.connect(t.broker.agentUrl, undefined, agentTlsOptions(identity, ca));
  await expect(attempt).rejects.toBeInstanceOf(Error);
  await expect(attempt).rejects.toThrow(/alert|certificate|hang up|ECONNRESET|EPIPE/i);
}

/** A key and certificate for `machineId` from `authority`, recorded (or not) as issued by this broker. */
async function certificateFrom(authority: CertificateAuthority, machineId: string, record = true, validityMs?: number) {
  const keys = await generateKeyPair();
  const issued = await authority.signAgentCsr(await createCsr(keys, 'x'), machineId, validityMs);
  if (record) t.store.recordMachineCertificate({ ...issued, machineId, issuedAt: Date.now() });
  return { cert: issued.chainPem, key: await exportPrivateKeyPem(keys.privateKey), ca: t.caRoots() };
}

/** Waits until the broker has reloaded its CA after a CLI change (it polls the store every 250 ms). */
async function untilRoots(count: number): Promise<void> {
  await vi.waitFor(() => expect(t.broker.tls.trustedRoots()).toHaveLength(count), { timeout: 3000, interval: 50 });
}

/** Renews over an open agent link, as the agent does at 2/3 of its certificate's lifetime. */
async function renew(agent: WsPeer): Promise<AgentTlsIdentity> {
  const keys = await generateKeyPair();
  agent.send({ type: 'renew', csr: await createCsr(keys, 'x') });
  const renewed = await agent.next<{ type: 'renewed'; certificate: string; caRoots: string[] }>('renewed');
  return { cert: renewed.certificate, key: await exportPrivateKeyPem(keys.privateKey), ca: renewed.caRoots };
}

describe('the agent listener refuses', () => {
  it('an agent with no certificate', async () => {
    t = await TestBroker.start();
    await expectHandshakeRefused(undefined);
  });

  it('a certificate from a foreign CA, even naming an enrolled machine', async () => {
    t = await TestBroker.start();
    const { machineId } = await t.enroll('web-1');
    const foreignDir = mkdtempSync(join(tmpdir(), 'fleetterm-foreign-ca-'));
    try {
      const foreign = await CertificateAuthority.loadOrCreate(foreignDir);
      await expectHandshakeRefused(await certificateFrom(foreign, machineId, false));
    } finally {
      rmSync(foreignDir, { recursive: true, force: true });
    }
  });

  it('an expired certificate', async () => {
    t = await TestBroker.start();
    const { machineId } = await t.enroll('web-1');
    const past = await CertificateAuthority.load(t.dataDir, { now: () => Date.now() - 2 * 3600_000 });
    await expectHandshakeRefused(await certificateFrom(past, machineId, true, 3600_000));
  });

  it('a certificate from our CA that this broker has no record of issuing, with 401', async () => {
    t = await TestBroker.start();
    const { machineId } = await t.enroll('web-1');
    const unrecorded = await certificateFrom(t.broker.tls.ca, machineId, false);
    expect(await t.rawAgentLink(unrecorded).catch((refusal: unknown) => refusal)).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED' } },
    });
  });

  it('a revoked machine, with 403 MACHINE_REVOKED', async () => {
    t = await TestBroker.start();
    const { identity } = await t.enroll('web-1');
    expect(await brokerCli('machines', 'revoke', 'web-1')).toBe(0);
    expect(await t.rawAgentLink(identity).catch((refusal: unknown) => refusal)).toMatchObject({
      status: 403,
      body: { error: { code: 'MACHINE_REVOKED' } },
    });
  });
});

describe('revocation', () => {
  it('closes a live session within a second, telling the console why, and closes the link with 4004', async () => {
    t = await TestBroker.start();
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    const { sessionId } = await openSession(console, agent, 'web-1', 1);

    const started = Date.now();
    expect(await brokerCli('machines', 'revoke', 'web-1')).toBe(0);
    expect(await console.next('closed')).toMatchObject({ channel: 1, code: 'MACHINE_REVOKED', resumable: false });
    expect(await agent.closed).toMatchObject({ code: CloseCode.REVOKED, reason: 'the machine was revoked' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(t.store.findSession(sessionId)).toMatchObject({ endReason: 'MACHINE_REVOKED' });
  });

  it('refuses renewals on a link that is still open', async () => {
    t = await TestBroker.start();
    const { identity } = await t.enroll('web-1');
    const agent = await t.agent(identity);
    t.store.revokeMachine('web-1', Date.now()); // the broker's own connection: no external change, link stays
    agent.send({ type: 'renew', csr: await createCsr(await generateKeyPair(), 'x') });
    expect(await agent.next('error')).toMatchObject({ code: 'RENEWAL_REFUSED' });
  });
});

describe('renewal', () => {
  it('replaces the certificate while a session stays open; the new one connects', async () => {
    t = await TestBroker.start();
    const { identity } = await t.enroll('web-1');
    const agent = await t.agent(identity);
    const console = await t.console(t.apiToken('operator', 'alice'));
    await openSession(console, agent, 'web-1', 1);

    const renewed = await renew(agent);
    expect(renewed.cert).not.toBe(identity.cert);
    // The session goes on over the same link.
    console.send({ type: 'resize', channel: 1, cols: 100, rows: 30 });
    expect(await agent.next('resize')).toMatchObject({ cols: 100, rows: 30 });
    // The new certificate is accepted on the next connection.
    const next = await t.agent(renewed);
    expect(await agent.closed).toMatchObject({ code: CloseCode.REPLACED });
    next.close();
  });

  it('refuses a CSR that is not one, and keeps the link', async () => {
    t = await TestBroker.start();
    const agent = await t.agent((await t.enroll('web-1')).identity);
    agent.send({ type: 'renew', csr: 'hello' });
    expect(await agent.next('error')).toMatchObject({ code: 'BAD_CSR' });
    agent.send({ type: 'renew', csr: await createCsr(await generateKeyPair(), 'x') });
    expect(await agent.next('error')).toMatchObject({ code: 'RENEWAL_REFUSED' }); // too soon after the last one
  });
});

describe('CA rotation', () => {
  it('keeps agents on the old CA working until they renew, then moves them; retirement refuses the old CA', async () => {
    t = await TestBroker.start();
    const { identity: old } = await t.enroll('web-1');
    const oldPin = t.broker.tls.ca.caPin();

    expect(await brokerCli('ca', 'rotate')).toBe(0);
    await untilRoots(2);
    // Not renewed yet: the old certificate and the old root still work.
    const agent = await t.agent(old);
    const renewed = await renew(agent);
    expect(renewed.ca).toHaveLength(2);
    agent.close();
    const moved = await t.agent(renewed);
    moved.close();
    expect(t.store.countMachinesByCa()).toEqual([{ caPin: t.broker.tls.ca.caPin(), machines: 1 }]);
    expect(t.broker.tls.ca.caPin()).not.toBe(oldPin);

    expect(await brokerCli('ca', 'retire')).toBe(0);
    await untilRoots(1);
    await expectHandshakeRefused(old, old.ca);
    const after = await t.agent({ ...renewed, ca: t.caRoots() });
    after.close();
  });
});
