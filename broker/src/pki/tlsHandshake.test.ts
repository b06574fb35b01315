import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type ConnectionOptions, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '../../../node-common/pki';
import { CertificateAuthority } from './certificateAuthority';

// Real handshakes on loopback with the configuration the agent listener will
// use: the broker's server certificate, client certificates required and
// checked against the CA bundle.

const DAY = 24 * 60 * 60 * 1000;
let dataDir: string;
let foreignDir: string;
let ca: CertificateAuthority;
let foreign: CertificateAuthority;
/** requestCert + rejectUnauthorized: the listener's configuration. */
let strict: Server;
/** The same without rejectUnauthorized: it lets everyone in and tells them why it would have refused. */
let observer: Server;
/** The certificate SANs of the clients the strict server accepted. */
const accepted: string[] = [];

async function listen(rejectUnauthorized: boolean): Promise<Server> {
  const identity = await ca.issueServerCertificate();
  const server = createServer({
    cert: identity.chainPem,
    key: identity.keyPem,
    ca: ca.clientCaBundle(),
    requestCert: true,
    rejectUnauthorized,
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.authorized) accepted.push(socket.getPeerX509Certificate()?.subjectAltName ?? '');
    socket.end(socket.authorized ? 'welcome' : `refused: ${String(socket.authorizationError)}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleetterm-tls-'));
  foreignDir = mkdtempSync(join(tmpdir(), 'fleetterm-tls-foreign-'));
  ca = await CertificateAuthority.loadOrCreate(dataDir);
  foreign = await CertificateAuthority.loadOrCreate(foreignDir);
  strict = await listen(true);
  observer = await listen(false);
});
afterAll(async () => {
  await Promise.all([strict, observer].map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(foreignDir, { recursive: true, force: true });
});

/** An agent's key and certificate chain from `authority`. */
async function agentIdentity(authority: CertificateAuthority, machineId: string) {
  const keys = await generateKeyPair();
  const { chainPem: cert } = await authority.signAgentCsr(await createCsr(keys, machineId), machineId);
  return { cert, key: await exportPrivateKeyPem(keys.privateKey) };
}

interface Attempt {
  /** What the server said: `welcome`, `refused: <reason>`, or nothing when it dropped the connection. */
  said: string;
  /** Whether the client verified the server. */
  authorized: boolean;
  error?: string;
}

/** Connects as a client that trusts the broker's CA and expects `localhost`, unless `options` say otherwise. */
function attempt(server: Server, options: ConnectionOptions): Promise<Attempt> {
  const { port } = server.address() as { port: number };
  return new Promise((resolve) => {
    let said = '';
    let error: string | undefined;
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.clientCaBundle(), ...options });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (said += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    socket.on('close', () => resolve({ said, authorized: socket.authorized, ...(error ? { error } : {}) }));
  });
}

describe('the agent listener (mutual TLS)', () => {
  it('accepts an agent whose certificate came from signAgentCsr, and sees its machine id', async () => {
    expect(await attempt(strict, await agentIdentity(ca, 'm-ok'))).toEqual({ said: 'welcome', authorized: true });
    expect(accepted).toContain('URI:urn:fleetterm:machine:m-ok');
  });

  it('refuses an agent with a certificate from a foreign CA', async () => {
    const identity = await agentIdentity(foreign, 'm-foreign');
    expect((await attempt(strict, identity)).said).toBe('');
    expect((await attempt(observer, identity)).said).toBe('refused: UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(accepted).not.toContain('URI:urn:fleetterm:machine:m-foreign');
  });

  it('refuses an agent whose certificate has expired', async () => {
    // The same CA with its clock 30 days back: a 7-day certificate that ended 23 days ago.
    const past = await CertificateAuthority.load(dataDir, { now: () => Date.now() - 30 * DAY });
    const identity = await agentIdentity(past, 'm-expired');
    expect((await attempt(strict, identity)).said).toBe('');
    expect((await attempt(observer, identity)).said).toBe('refused: CERT_HAS_EXPIRED');
    expect(accepted).not.toContain('URI:urn:fleetterm:machine:m-expired');
  });

  it('refuses an agent that presents no certificate', async () => {
    expect(await attempt(strict, {})).toMatchObject({ said: '', error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  });
});

describe('the agent side', () => {
  it('verifies the broker against the CA bundle as localhost', async () => {
    expect(await attempt(strict, await agentIdentity(ca, 'm-client'))).toMatchObject({ authorized: true });
  });

  it('refuses a broker when it trusts another CA, or when the name does not match', async () => {
    const identity = await agentIdentity(ca, 'm-client-2');
    expect(await attempt(strict, { ...identity, ca: foreign.clientCaBundle() })).toMatchObject({
      said: '',
      authorized: false,
      error: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
    expect(await attempt(strict, { ...identity, servername: 'broker.example.org' })).toMatchObject({
      said: '',
      error: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });
});
