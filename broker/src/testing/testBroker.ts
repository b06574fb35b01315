import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../../common/protocol';
import { issueApiToken, issueEnrollToken } from '../auth/issueTokens';
import { createBroker, type Broker, type BrokerOptions } from '../broker';
import { CertificateAuthority } from '../pki/certificateAuthority';
import { pkiDir } from '../pki/pkiFiles';
import type { Role } from '../store/store';
import type { ClientOptions } from 'ws';
import { createCsr, exportPrivateKeyPem, generateKeyPair } from '../../../node-common/pki';
import { WsPeer } from './wsPeer';

let template: Promise<string> | undefined;

/**
 * A CA and server certificate made once per test process and copied into
 * each test broker's data directory: making them costs a few hundred
 * milliseconds, and nothing in a test depends on the CA being its own.
 */
function templatePki(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetterm-pki-template-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const ca = await CertificateAuthority.loadOrCreate(dir);
    await ca.issueServerCertificate();
    return pkiDir(dir);
  })();
  return template;
}

/** An agent's key, certificate chain and trusted roots, PEM. */
export interface AgentTlsIdentity {
  cert: string;
  key: string;
  ca: string[];
}

export interface EnrolledMachine {
  machineId: string;
  identity: AgentTlsIdentity;
}

/** TLS options for an agent link: its certificate (if any) and the roots it trusts, checking the name localhost. */
export function agentTlsOptions(identity: AgentTlsIdentity | undefined, ca: string[]): ClientOptions {
  return { ...(identity ? { cert: identity.cert, key: identity.key } : {}), ca: identity?.ca ?? ca };
}

export interface HeldSession {
  sessionId: string;
  operator: string;
  offset: number;
}

/**
 * A real broker on 127.0.0.1 port 0 with a real SQLite file in a temp dir,
 * plus helpers that enrol machines and open raw console and agent links.
 */
export class TestBroker {
  private readonly peers: WsPeer[] = [];

  private constructor(
    readonly broker: Broker,
    readonly dataDir: string,
  ) {}

  /** Consoles speak plain HTTP on loopback unless `devInsecureHttp: false`; agents always use mutual TLS. */
  static async start(options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetterm-broker-test-'));
    try {
      cpSync(await templatePki(), pkiDir(dataDir), { recursive: true });
      const broker = await createBroker({
        dataDir,
        host: '127.0.0.1',
        port: 0,
        agentPort: 0,
        devInsecureHttp: true,
        ...options,
      });
      return new TestBroker(broker, dataDir);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  get store() {
    return this.broker.store;
  }

  get url(): string {
    return this.broker.url;
  }

  /** A URL on the console listener. */
  wsUrl(path: '/ws/console' | string): string {
    return `${this.broker.url.replace(/^http/, 'ws')}${path}`;
  }

  /** What an agent trusts: the broker's CA roots. */
  caRoots(): string[] {
    return this.broker.tls.trustedRoots().map((root) => root.pem);
  }

  apiToken(role: Role, name = `${role}-user`, ttlMs: number | null = null): string {
    return issueApiToken(this.store, { name, role, ttlMs, now: Date.now() }).token;
  }

  enrollToken(name: string, ttlMs = 60_000, labels: Record<string, string> = {}): string {
    return issueEnrollToken(this.store, { name, labels, ttlMs, now: Date.now() }).token;
  }

  /** Enrols a machine through the HTTP API with a fresh key pair, as an agent does. */
  async enroll(name: string, labels: Record<string, string> = {}): Promise<EnrolledMachine> {
    const keys = await generateKeyPair();
    const res = await fetch(`${this.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: this.enrollToken(name, 60_000, labels),
        csr: await createCsr(keys, name),
        hostname: `${name}.test`,
        os: 'linux',
        arch: 'x64',
        agentVersion: 'test-agent/1',
      }),
    });
    if (!res.ok) throw new Error(`enrol failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { machineId: string; certificate: string; caRoots: string[] };
    return {
      machineId: body.machineId,
      identity: { cert: body.certificate, key: await exportPrivateKeyPem(keys.privateKey), ca: body.caRoots },
    };
  }

  /** A link that has not said hello yet. */
  async rawLink(path: string, token: string): Promise<WsPeer> {
    return this.track(await WsPeer.connect(this.wsUrl(path), token));
  }

  /** An agent link on the agent listener that has not said hello yet. */
  async rawAgentLink(identity: AgentTlsIdentity | undefined): Promise<WsPeer> {
    return this.track(await WsPeer.connect(this.broker.agentUrl, undefined, agentTlsOptions(identity, this.caRoots())));
  }

  private track(peer: WsPeer): WsPeer {
    this.peers.push(peer);
    return peer;
  }

  /** A console link after hello/welcome. */
  async console(token: string): Promise<WsPeer> {
    const peer = await this.rawLink('/ws/console', token);
    peer.send({ type: 'hello', protocol: PROTOCOL_VERSION, role: 'console', software: 'test-console/1' });
    await peer.next('welcome');
    return peer;
  }

  /** An agent link after hello/welcome, holding `sessions`. */
  async agent(identity: AgentTlsIdentity, sessions: HeldSession[] = []): Promise<WsPeer> {
    const peer = await this.rawAgentLink(identity);
    peer.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      role: 'agent',
      software: 'test-agent/1',
      agent: { hostname: 'test-host', os: 'linux', arch: 'x64', sessions },
    });
    await peer.next('welcome');
    return peer;
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.close();
    await this.broker.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
