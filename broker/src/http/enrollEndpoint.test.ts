import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCsr, generateKeyPair, x509 } from '../../../node-common/pki';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
beforeEach(async () => {
  t = await TestBroker.start();
});
afterEach(() => t.close());

async function enrol(fields: Record<string, unknown>) {
  const res = await fetch(`${t.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hostname: 'web-1.example', os: 'linux', arch: 'arm64', ...fields }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error: { code: string } } };
}

const freshCsr = async (name = 'web-1') => createCsr(await generateKeyPair(), name);

/** A CSR that asks for everything a machine must not get: a CA, a server name, server authentication. */
async function greedyCsr(): Promise<string> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=broker.example',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'broker.example' }]),
    ],
  });
  return csr.toString('pem');
}

describe('POST /api/v1/enroll', () => {
  it('signs a client certificate naming the new machine, with the roots and the agent listener', async () => {
    const token = t.enrollToken('web-1', 60_000, { env: 'prod' });
    const res = await enrol({ token, csr: await freshCsr() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'web-1', labels: { env: 'prod' }, caRoots: t.caRoots() });
    expect(res.body.agentUrl).toBe(t.broker.agentUrl);
    const leaf = new X509Certificate(res.body.certificate as string);
    expect(leaf.subjectAltName).toBe(`URI:urn:fleetterm:machine:${res.body.machineId as string}`);
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // client authentication only
  });

  it('spends the token once: a second use is refused with 410 and creates nothing', async () => {
    const token = t.enrollToken('web-1');
    expect((await enrol({ token, csr: await freshCsr() })).status).toBe(200);
    const again = await enrol({ token, csr: await freshCsr() });
    expect(again).toMatchObject({ status: 410, body: { error: { code: 'ENROLL_TOKEN_USED' } } });
    expect(t.store.listMachines()).toHaveLength(1);
  });

  it('refuses an expired token with 410, an unknown one with 401', async () => {
    const expired = t.enrollToken('web-1', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await enrol({ token: expired, csr: await freshCsr() })).toMatchObject({
      status: 410,
      body: { error: { code: 'ENROLL_TOKEN_EXPIRED' } },
    });
    expect(await enrol({ token: 'fte_unknown', csr: await freshCsr() })).toMatchObject({
      status: 401,
      body: { error: { code: 'ENROLL_TOKEN_UNKNOWN' } },
    });
  });

  it('refuses a token used with another name, and leaves it usable with its own', async () => {
    const token = t.enrollToken('web-1');
    expect(await enrol({ token, name: 'db-1', csr: await freshCsr() })).toMatchObject({
      status: 403,
      body: { error: { code: 'ENROLL_NAME_MISMATCH' } },
    });
    expect((await enrol({ token, name: 'web-1', csr: await freshCsr() })).status).toBe(200);
  });

  it('refuses a second live machine with a taken name with 409', async () => {
    await t.enroll('web-1');
    const res = await enrol({ token: t.enrollToken('web-1'), csr: await freshCsr() });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'MACHINE_NAME_TAKEN' } } });
  });

  it('gives a CSR that asks for a CA or server certificate only a client certificate', async () => {
    const res = await enrol({ token: t.enrollToken('web-1'), csr: await greedyCsr() });
    expect(res.status).toBe(200);
    const leaf = new X509Certificate(res.body.certificate as string);
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(leaf.subjectAltName).not.toContain('broker.example');
    expect(leaf.subject).not.toContain('broker.example');
  });

  it('refuses a CSR that is not one with 400 BAD_CSR, without spending the token', async () => {
    const token = t.enrollToken('web-1');
    const res = await enrol({ token, csr: 'hello' });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'BAD_CSR' } } });
    expect((await enrol({ token, csr: await freshCsr() })).status).toBe(200);
  });

  it('refuses malformed bodies with 400 and names the field', async () => {
    const garbage = await fetch(`${t.url}/api/v1/enroll`, { method: 'POST', body: '{not json' });
    expect(garbage.status).toBe(400);
    const missing = await enrol({ token: 'fte_x' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('csr');
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const res = await fetch(`${t.url}/api/v1/enroll`, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(res.status).toBe(413);
  });
});
