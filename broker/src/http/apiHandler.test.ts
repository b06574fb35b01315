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

const enrollBody = (token: string) =>
  JSON.stringify({
    token,
    hostname: 'web-1.example',
    os: 'linux',
    arch: 'arm64',
    agentVersion: 'fleetterm-agent/0.1.0',
  });

describe('GET /api/v1/health', () => {
  it('needs no token', async () => {
    expect(await call('/api/v1/health')).toMatchObject({ status: 200, body: { status: 'ok', version: '0.1.0' } });
  });
});

describe('POST /api/v1/enroll', () => {
  it('enrols a machine once and returns its credential', async () => {
    const token = t.enrollToken('web-1', 60_000, { env: 'prod' });
    const first = await call('/api/v1/enroll', { method: 'POST', body: enrollBody(token) });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ name: 'web-1', labels: { env: 'prod' } });
    expect(first.body.credential).toMatch(/^ftm_[A-Za-z0-9_-]{43}$/);
    const again = await call('/api/v1/enroll', { method: 'POST', body: enrollBody(token) });
    expect(again).toMatchObject({ status: 410, body: { error: { code: 'ENROLL_TOKEN_USED' } } });
  });

  it('refuses an expired token with 410', async () => {
    const token = t.enrollToken('web-1', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await call('/api/v1/enroll', { method: 'POST', body: enrollBody(token) });
    expect(res).toMatchObject({ status: 410, body: { error: { code: 'ENROLL_TOKEN_EXPIRED' } } });
  });

  it('refuses an unknown token with 401', async () => {
    const res = await call('/api/v1/enroll', { method: 'POST', body: enrollBody('fte_unknown') });
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'ENROLL_TOKEN_UNKNOWN' } } });
  });

  it('refuses a second machine with a taken name with 409', async () => {
    await t.enroll('web-1');
    const res = await call('/api/v1/enroll', { method: 'POST', body: enrollBody(t.enrollToken('web-1')) });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'MACHINE_NAME_TAKEN' } } });
  });

  it('refuses malformed bodies with 400 and names the field', async () => {
    const garbage = await call('/api/v1/enroll', { method: 'POST', body: '{not json' });
    expect(garbage).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    const missing = await call('/api/v1/enroll', { method: 'POST', body: JSON.stringify({ token: 'fte_x' }) });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('hostname');
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const res = await call('/api/v1/enroll', { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(res).toMatchObject({ status: 413, body: { error: { code: 'BAD_REQUEST' } } });
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
