import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, ECDSA_P256, exportPrivateKeyPem, generateKeyPair, x509 } from '../pki';
import { requestJson } from './httpsJson';
import { createTestCa, startBrokerStandIn, type BrokerStandIn, type TestCa } from './testing/brokerStandIn';

let ca: TestCa;
let foreign: TestCa;
let broker: BrokerStandIn;

beforeAll(async () => {
  [ca, foreign] = await Promise.all([createTestCa(), createTestCa()]);
  broker = await startBrokerStandIn(ca.server, [ca.rootPem]);
  broker.route('/echo', (request) => ({
    status: 201,
    body: { method: request.method, authorization: request.headers.authorization ?? null },
  }));
  broker.route('/text', () => ({ status: 502, body: undefined }));
});
afterAll(async () => {
  await broker.close();
  ca.dispose();
  foreign.dispose();
});

async function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server | ReturnType<typeof createHttpServer>): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('requestJson over TLS', () => {
  it("answers when the broker verifies against the pinned CA, with the status and the broker's JSON", async () => {
    expect(await requestJson(`${broker.url}/api/v1/ca`, { ca: ca.rootPem })).toMatchObject({
      ok: true,
      status: 200,
      body: { roots: [{ pem: ca.rootPem, pin: ca.pin, fingerprint: ca.fingerprint }] },
    });
    // Any status with a JSON body is an answer: the broker's errors are data for the caller.
    expect(await requestJson(`${broker.url}/nowhere`, { ca: [ca.rootPem] })).toMatchObject({
      ok: true,
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
  });

  it('sends a JSON body with the method and headers given', async () => {
    const answer = await requestJson(`${broker.url}/echo`, {
      method: 'POST',
      body: { a: 1 },
      headers: { Authorization: 'Bearer ftk_x' },
      ca: ca.bundlePem,
    });
    expect(answer).toEqual({ ok: true, status: 201, body: { method: 'POST', authorization: 'Bearer ftk_x' } });
  });

  it("refuses a broker whose CA is not the pinned one, or not in the system's store", async () => {
    const pinnedElsewhere = await requestJson(`${broker.url}/api/v1/ca`, { ca: foreign.rootPem });
    expect(pinnedElsewhere).toMatchObject({ ok: false, code: 'TLS_UNTRUSTED' });
    if (!pinnedElsewhere.ok) expect(pinnedElsewhere.message).toContain('does not verify against the pinned CA');
    const system = await requestJson(`${broker.url}/api/v1/ca`);
    expect(system).toMatchObject({ ok: false, code: 'TLS_UNTRUSTED' });
    if (!system.ok) expect(system.message).toContain("the system's trusted CAs");
  });

  it('accepts any certificate when insecure (only to fetch what is checked another way)', async () => {
    expect(await requestJson(`${broker.url}/api/v1/ca`, { insecure: true })).toMatchObject({ ok: true, status: 200 });
  });

  it('tells a certificate that does not name the host from an untrusted one', async () => {
    const keys = await generateKeyPair();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=elsewhere.test',
      keys,
      signingAlgorithm: ECDSA_P256,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3_600_000),
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'elsewhere.test' }])],
    });
    const pem = certificateToPem(cert);
    const server = createHttpsServer({ cert: pem, key: await exportPrivateKeyPem(keys.privateKey) }, (_, res) =>
      res.end('{}'),
    );
    const port = await listening(server);
    try {
      const answer = await requestJson(`https://127.0.0.1:${port}/`, { ca: pem });
      expect(answer).toMatchObject({ ok: false, code: 'TLS_NAME_MISMATCH' });
      if (!answer.ok) expect(answer.message).toContain('--dns-name');
    } finally {
      await closeServer(server);
    }
  });
});

describe('requestJson failures', () => {
  it('says when nothing listens', async () => {
    const server = createNetServer();
    const port = await listening(server);
    await closeServer(server);
    const answer = await requestJson(`https://127.0.0.1:${port}/`, { insecure: true });
    expect(answer).toMatchObject({ ok: false, code: 'UNREACHABLE' });
    if (!answer.ok) expect(answer.message).toContain('connection refused');
  });

  it('gives up after the timeout on a server that never answers', async () => {
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => sockets.push(socket));
    const port = await listening(server);
    try {
      const answer = await requestJson(`https://127.0.0.1:${port}/`, { insecure: true, timeoutMs: 200 });
      expect(answer).toMatchObject({ ok: false, code: 'TIMEOUT' });
      if (!answer.ok) expect(answer.message).toContain('200 ms');
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await closeServer(server);
    }
  });

  it('says when https:// reaches a plain HTTP server', async () => {
    const server = createHttpServer((_, res) => res.end('{}'));
    const port = await listening(server);
    try {
      const answer = await requestJson(`https://127.0.0.1:${port}/`, { insecure: true });
      expect(answer).toMatchObject({ ok: false, code: 'UNREACHABLE' });
      if (!answer.ok) expect(answer.message).toContain('does not speak TLS');
      // And plain http:// works against it.
      expect(await requestJson(`http://127.0.0.1:${port}/`)).toEqual({ ok: true, status: 200, body: {} });
    } finally {
      await closeServer(server);
    }
  });

  it('refuses an answer that is not JSON, or too large', async () => {
    const bad = await requestJson(`${broker.url}/text`, { ca: ca.rootPem });
    expect(bad).toMatchObject({ ok: false, code: 'BAD_ANSWER' });
    if (!bad.ok) expect(bad.message).toContain('HTTP 502 with something that is not JSON');
    expect(await requestJson(`${broker.url}/api/v1/ca`, { ca: ca.rootPem, maxBodyBytes: 100 })).toMatchObject({
      ok: false,
      code: 'BAD_ANSWER',
    });
    expect(await requestJson('not a url')).toMatchObject({ ok: false, code: 'UNREACHABLE' });
  });
});
