import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { captureLogger } from '../testing/captureLogger';
import { TestBroker } from '../testing/testBroker';

/** Loosely typed on purpose: the tests assert the shape. */
interface ApiBody {
  error: { code: string; message: string };
  [key: string]: unknown;
}

let t: TestBroker;
beforeEach(async () => {
  t = await TestBroker.start();
});
afterEach(() => t.close());

async function call(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(`${t.url}${path}`, { ...init, headers });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

describe('GET /api/v1/health', () => {
  it('needs no token', async () => {
    expect(await call('/api/v1/health')).toMatchObject({ status: 200, body: { status: 'ok', version: '0.1.0' } });
  });
});

describe('GET /api/v1/ca', () => {
  it('needs no token and lists the roots with their pins and fingerprints', async () => {
    const res = await call('/api/v1/ca');
    expect(res.status).toBe(200);
    expect(res.body.roots).toEqual([
      { pem: t.caRoots()[0], pin: t.broker.tls.ca.caPin(), fingerprint: t.broker.tls.ca.rootFingerprint() },
    ]);
  });
});

describe('GET /api/v1/machines and /api/v1/sessions', () => {
  it('list for any role, in the documented shape', async () => {
    const { machineId } = await t.enroll('web-1', { env: 'prod' });
    const token = t.apiToken('auditor');
    const machines = await call('/api/v1/machines', { token });
    expect(machines).toEqual({
      status: 200,
      body: {
        machines: [
          {
            id: machineId,
            name: 'web-1',
            labels: { env: 'prod' },
            os: 'linux',
            arch: 'x64',
            hostname: 'web-1.test',
            online: false,
            lastSeen: null,
            sessions: 0,
          },
        ],
      },
    });
    expect(await call('/api/v1/sessions', { token })).toEqual({ status: 200, body: { sessions: [] } });
  });

  it('refuse a wrong, expired or revoked token with 401', async () => {
    const expired = t.apiToken('admin', 'old', 1);
    const revoked = t.apiToken('admin', 'gone');
    t.store.revokeApiTokens('gone', Date.now());
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const token of ['ftk_wrong', expired, revoked, undefined]) {
      const res = await call('/api/v1/machines', token ? { token } : {});
      expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    }
  });
});

describe('unknown endpoints', () => {
  it('answer 404 or 405 with a JSON error', async () => {
    expect(await call('/nope')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await call('/api/v1/machines', { method: 'DELETE' })).toMatchObject({ status: 405 });
  });
});

describe('request targets URL parsing rejects', () => {
  it('answer 404 with a JSON error, not 500, and log no error', async () => {
    await t.close();
    const { logger, records } = captureLogger();
    t = await TestBroker.start({ logger });
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(t.broker.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.write('GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    expect(text).toMatch(/^HTTP\/1\.1 404 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(records.filter((r) => r.level >= 50)).toEqual([]);
  });
});
