import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../../common/protocol';
import { issueApiToken, issueEnrollToken } from '../auth/issueTokens';
import { createBroker, type Broker, type BrokerOptions } from '../broker';
import type { Role } from '../store/store';
import { WsPeer } from './wsPeer';

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

  static async start(options: Partial<BrokerOptions> = {}): Promise<TestBroker> {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetterm-broker-test-'));
    try {
      const broker = await createBroker({ dataDir, host: '127.0.0.1', port: 0, ...options });
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

  wsUrl(path: '/ws/agent' | '/ws/console' | string): string {
    return `${this.broker.url.replace(/^http/, 'ws')}${path}`;
  }

  apiToken(role: Role, name = `${role}-user`, ttlMs: number | null = null): string {
    return issueApiToken(this.store, { name, role, ttlMs, now: Date.now() }).token;
  }

  enrollToken(name: string, ttlMs = 60_000, labels: Record<string, string> = {}): string {
    return issueEnrollToken(this.store, { name, labels, ttlMs, now: Date.now() }).token;
  }

  /** Enrols a machine through the HTTP API, as an agent does. */
  async enroll(name: string, labels: Record<string, string> = {}): Promise<{ machineId: string; credential: string }> {
    const res = await fetch(`${this.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: this.enrollToken(name, 60_000, labels),
        hostname: `${name}.test`,
        os: 'linux',
        arch: 'x64',
        agentVersion: 'test-agent/1',
      }),
    });
    if (!res.ok) throw new Error(`enrol failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as { machineId: string; credential: string };
  }

  /** A link that has not said hello yet. */
  async rawLink(path: string, token: string): Promise<WsPeer> {
    const peer = await WsPeer.connect(this.wsUrl(path), token);
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
  async agent(credential: string, sessions: HeldSession[] = []): Promise<WsPeer> {
    const peer = await this.rawLink('/ws/agent', credential);
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
