/**
 * Test support: real certificates from the broker's own CA and a tiny HTTPS
 * server standing in for the broker (GET /api/v1/ca plus whatever a test
 * adds). Nothing but tests imports this file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateFingerprint, spkiPin, splitPemChain } from '../../pki';

/**
 * The part of `CertificateAuthority` (broker/src/pki) the tests use: only its
 * most stable surface, the rest is computed here with node-common/pki.
 */
interface BrokerCa {
  rootCertificate(): { toString(format: 'pem'): string };
  issueServerCertificate(dnsNames?: readonly string[]): Promise<{ chainPem: string; keyPem: string }>;
}

export interface ServerIdentity {
  chainPem: string;
  keyPem: string;
}

/** One broker CA in a temp folder: its root, pin, fingerprint and a server certificate it issued. */
export interface TestCa {
  rootPem: string;
  /** Issuing CA + root, as an admin may hand it out. */
  bundlePem: string;
  pin: string;
  fingerprint: string;
  server: ServerIdentity;
  dispose(): void;
}

/**
 * The broker's real CertificateAuthority, loaded by path at run time: the
 * node-common and CLI projects may not import broker code (the compiler's
 * project graph and the lint rules keep them apart), but their tests may
 * borrow its certificates, as they would from a broker process.
 */
async function loadCertificateAuthority(): Promise<{ loadOrCreate(dataDir: string): Promise<BrokerCa> }> {
  const path = fileURLToPath(new URL('../../../broker/src/pki/certificateAuthority.ts', import.meta.url));
  const module = (await import(/* @vite-ignore */ path)) as {
    CertificateAuthority: { loadOrCreate(dataDir: string): Promise<BrokerCa> };
  };
  return module.CertificateAuthority;
}

export async function createTestCa(): Promise<TestCa> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetterm-trust-ca-'));
  const ca = await (await loadCertificateAuthority()).loadOrCreate(dataDir);
  const server = await ca.issueServerCertificate([]);
  const rootPem = `${ca.rootCertificate().toString('pem').trim()}\n`;
  const issuingPem = splitPemChain(server.chainPem)[1] ?? '';
  return {
    rootPem,
    bundlePem: issuingPem + rootPem,
    pin: spkiPin(rootPem),
    fingerprint: certificateFingerprint(rootPem),
    server: { chainPem: server.chainPem, keyPem: server.keyPem },
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** `GET /api/v1/ca` as the broker answers it, for these root PEMs (current first). */
export function caDocument(rootPems: readonly string[]) {
  return {
    roots: rootPems.map((pem) => ({ pem, pin: spkiPin(pem), fingerprint: certificateFingerprint(pem) })),
  };
}

type Route = (request: IncomingMessage) => { status: number; body: unknown };

export interface BrokerStandIn {
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, the known_brokers key. */
  hostPort: string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Serve another certificate from now on (new connections). */
  setIdentity(identity: ServerIdentity): void;
  /** What GET /api/v1/ca answers from now on. */
  setCaAnswer(body: unknown, status?: number): void;
  route(path: string, answer: Route): void;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startBrokerStandIn(
  identity: ServerIdentity,
  rootPems: readonly string[],
): Promise<BrokerStandIn> {
  let caAnswer: { status: number; body: unknown } = { status: 200, body: caDocument(rootPems) };
  const routes = new Map<string, Route>([['/api/v1/ca', () => caAnswer]]);
  const requests: string[] = [];
  const server = createServer({ cert: identity.chainPem, key: identity.keyPem }, (req, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    requests.push(path);
    const route = routes.get(path);
    const answer = route
      ? route(req)
      : { status: 404, body: { error: { code: 'NOT_FOUND', message: `no route ${path}` } } };
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    server,
    setIdentity: (next) => server.setSecureContext({ cert: next.chainPem, key: next.keyPem }),
    setCaAnswer: (body, status = 200) => (caAnswer = { status, body }),
    route: (path, answer) => void routes.set(path, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
