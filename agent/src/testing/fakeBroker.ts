import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, type AgentToBroker, type BrokerToAgent } from '../../../common/protocol';
import {
  certificateFingerprint,
  certificateToPem,
  createAgentCertificate,
  createCsr,
  createIssuingCa,
  createRootCa,
  createServerCertificate,
  exportPrivateKeyPem,
  generateKeyPair,
  type Issuer,
  spkiPin,
  x509,
} from '../../../node-common/pki';

type Json = Record<string, unknown> & { type?: string };

/** One agent connection as the fake broker sees it. */
export class FakeAgentConnection {
  readonly messages: Json[] = [];
  readonly binary: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly socket: WebSocket,
    readonly headers: IncomingHttpHeaders,
    /** The client certificate the agent presented. */
    readonly peerCertificate: X509Certificate | undefined,
  ) {
    socket.on('message', (data: RawData, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (isBinary) this.binary.push(bytes);
      else this.messages.push(JSON.parse(bytes.toString('utf8')) as Json);
      for (const wake of [...this.waiters]) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  send(message: BrokerToAgent | Json): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  welcome(identity = 'web-1'): void {
    this.send({
      type: 'welcome',
      protocol: { ...PROTOCOL_VERSION },
      software: 'fake-broker/0',
      heartbeatMs: 15_000,
      identity,
    });
  }

  /** The payload bytes of the output frames received so far (all channels). */
  get output(): string {
    return Buffer.concat(this.binary.map((frame) => frame.subarray(14))).toString('utf8');
  }

  /** Resolves once `test` holds, checked after each frame. */
  until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (!test()) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`${what} did not happen within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** The first message of `type` (received already or later) that matches. */
  next<T extends AgentToBroker['type']>(
    type: T,
    match: (m: Extract<AgentToBroker, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<AgentToBroker, { type: T }>> {
    type M = Extract<AgentToBroker, { type: T }>;
    const find = () => this.messages.find((m) => m.type === type && match(m as unknown as M)) as unknown as M;
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const message = find();
        if (!message) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no ${type} from the agent within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }
}

export interface FakeBrokerOptions {
  /** Answer every upgrade with 401 (a certificate the broker has no record of). */
  rejectAll?: boolean;
  /** Answer every upgrade with 403 MACHINE_REVOKED. */
  revoked?: boolean;
  /** Answers POST /api/v1/enroll; by default a certificate for the CSR, for a machine named web-1. */
  enroll?: (body: Record<string, unknown>, broker: FakeBroker) => Promise<{ status: number; body: unknown }>;
  /** Lifetime of the certificates it signs (default 7 days). */
  certificateValidityMs?: number;
}

/** The machine id the fake broker gives every enrolled machine. */
export const FAKE_MACHINE_ID = '00000000-0000-4000-8000-000000000001';

interface TestCa {
  issuing: Issuer;
  rootPem: string;
  server: { chainPem: string; keyPem: string };
}

let testCa: Promise<TestCa> | undefined;

/** A root, an issuing CA and a localhost server certificate, made once per test process. */
function sharedTestCa(): Promise<TestCa> {
  testCa ??= (async () => {
    const now = Date.now();
    const rootKeys = await generateKeyPair();
    const root = await createRootCa(rootKeys, 'Fake Broker Root', { now, validityMs: 365 * DAY_MS });
    const issuingKeys = await generateKeyPair();
    const issuingCert = await createIssuingCa({ cert: root, keys: rootKeys }, issuingKeys, 'Fake Broker Issuing', {
      now,
      validityMs: 365 * DAY_MS,
    });
    const issuing = { cert: issuingCert, keys: issuingKeys };
    const serverKeys = await generateKeyPair();
    const server = await createServerCertificate(
      issuing,
      serverKeys.publicKey,
      { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
      { now, validityMs: 30 * DAY_MS },
    );
    return {
      issuing,
      rootPem: certificateToPem(root),
      server: {
        chainPem: certificateToPem(server) + certificateToPem(issuingCert),
        keyPem: await exportPrivateKeyPem(serverKeys.privateKey),
      },
    };
  })();
  return testCa;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A root no fake broker uses: what an agent pinned to another broker trusts. */
export async function otherRoot(): Promise<{ pem: string; pin: string }> {
  const keys = await generateKeyPair();
  const root = await createRootCa(keys, 'Another Root', { now: Date.now(), validityMs: DAY_MS });
  const pem = certificateToPem(root);
  return { pem, pin: spkiPin(pem) };
}

/**
 * A small stand-in for the broker, with TLS as the real one has it: a
 * console listener (HTTPS) that serves the CA roots and signs enrolment
 * CSRs, and an agent listener that requires a client certificate from its
 * CA and hands each agent connection to the test (or refuses it with 401 or
 * 403 like the real one, before any socket exists).
 */
export class FakeBroker {
  readonly connections: FakeAgentConnection[] = [];
  /** Bodies of the enrolment requests received. */
  readonly enrolments: Record<string, unknown>[] = [];
  upgrades = 0;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly consoleServer: Server,
    private readonly agentServer: Server,
    private readonly ca: TestCa,
    readonly options: FakeBrokerOptions,
  ) {
    consoleServer.on('request', (request, response) => this.onRequest(request, response));
    agentServer.on('upgrade', (request: IncomingMessage, socket, head) => {
      this.upgrades += 1;
      const refusal = options.rejectAll
        ? { status: '401 Unauthorized', code: 'UNAUTHORIZED', message: 'this broker has no record of the certificate' }
        : options.revoked
          ? { status: '403 Forbidden', code: 'MACHINE_REVOKED', message: 'The machine was revoked by an admin.' }
          : undefined;
      if (refusal) {
        const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
        socket.end(
          `HTTP/1.1 ${refusal.status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        const peer = (request.socket as TLSSocket).getPeerX509Certificate();
        this.connections.push(new FakeAgentConnection(ws, request.headers, peer));
        for (const wake of [...this.waiters]) wake();
      });
    });
  }

  static async start(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
    const ca = await sharedTestCa();
    const tls = { cert: ca.server.chainPem, key: ca.server.keyPem };
    const consoleServer = createServer(tls);
    const agentServer = createServer({ ...tls, ca: ca.rootPem, requestCert: true, rejectUnauthorized: true });
    agentServer.on('tlsClientError', () => {}); // refused handshakes are what some tests want
    await Promise.all(
      [consoleServer, agentServer].map((server) => new Promise<void>((r) => server.listen(0, '127.0.0.1', r))),
    );
    return new FakeBroker(consoleServer, agentServer, ca, options);
  }

  /** The console listener, as given to `--broker`. */
  get httpUrl(): string {
    return `https://127.0.0.1:${(this.consoleServer.address() as AddressInfo).port}`;
  }

  /** The agent listener. */
  get url(): string {
    return `wss://127.0.0.1:${(this.agentServer.address() as AddressInfo).port}/ws/agent`;
  }

  get caPin(): string {
    return spkiPin(this.ca.rootPem);
  }

  get caRoots(): string[] {
    return [this.ca.rootPem];
  }

  /** Signs a CSR as the real broker does: client-only, naming `machineId`. Returns leaf and issuing CA. */
  async signCsr(csrPem: string, machineId = FAKE_MACHINE_ID, validityMs?: number): Promise<string> {
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    const leaf = await createAgentCertificate(this.ca.issuing, csr.publicKey, machineId, {
      now: Date.now(),
      validityMs: validityMs ?? this.options.certificateValidityMs ?? 7 * DAY_MS,
    });
    return certificateToPem(leaf) + certificateToPem(this.ca.issuing.cert);
  }

  /** A key and certificate for the agent listener, made here (tests of the link itself). */
  async identity(validityMs?: number): Promise<{ cert: string; key: string; ca: string[] }> {
    const keys = await generateKeyPair();
    const cert = await this.signCsr(await createCsr(keys, 'web-1'), FAKE_MACHINE_ID, validityMs);
    return { cert, key: await exportPrivateKeyPem(keys.privateKey), ca: this.caRoots };
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const json = (status: number, body: unknown): void =>
      void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method === 'GET' && request.url === '/api/v1/ca') {
      const root = this.ca.rootPem;
      return json(200, { roots: [{ pem: root, pin: spkiPin(root), fingerprint: certificateFingerprint(root) }] });
    }
    if (request.method !== 'POST' || request.url !== '/api/v1/enroll') {
      return json(404, { error: { code: 'NOT_FOUND', message: 'no' } });
    }
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      this.enrolments.push(body);
      void (this.options.enroll ?? enrolledAs())(body, this).then((answer) => json(answer.status, answer.body));
    });
  }

  /** The `n`th connection (0-based), once it exists. */
  connection(n: number, timeoutMs = 10_000): Promise<FakeAgentConnection> {
    const found = this.connections[n];
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const connection = this.connections[n];
        if (!connection) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(connection);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no agent connection #${n} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    this.wss.close();
    for (const server of [this.consoleServer, this.agentServer]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

/** The default enrolment answer: a certificate for the CSR, for machine `name`. */
export function enrolledAs(name = 'web-1') {
  return async (body: Record<string, unknown>, broker: FakeBroker) => ({
    status: 200,
    body: {
      machineId: FAKE_MACHINE_ID,
      name,
      labels: { env: 'test' },
      certificate: await broker.signCsr(String(body.csr)),
      caRoots: broker.caRoots,
      agentUrl: broker.url,
    },
  });
}
