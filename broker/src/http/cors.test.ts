import { afterEach, describe, expect, it } from 'vitest';
import { desktopAppOrigin } from '../../../common/desktopApi';
import { post, signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
afterEach(() => t.close());

const preflight = (path: string, origin: string, method = 'GET') =>
  fetch(`${t.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS on the HTTP API', () => {
  it('answers the desktop app preflight: its origin, bearer and JSON headers, no credentials', async () => {
    t = await TestBroker.start();
    const answer = await preflight('/api/v1/machines', desktopAppOrigin);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(desktopAppOrigin);
    expect(answer.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    expect(answer.headers.get('vary')).toBe('Origin');
  });

  it('lets the desktop app read answers, with and without a sign-in', async () => {
    t = await TestBroker.start();
    const alice = await signedInPerson(t, 'alice');
    const machines = await fetch(`${t.url}/api/v1/machines`, {
      headers: { origin: desktopAppOrigin, authorization: `Bearer ${alice.tokens.accessToken}` },
    });
    expect(machines.status).toBe(200);
    expect(machines.headers.get('access-control-allow-origin')).toBe(desktopAppOrigin);
    expect(machines.headers.get('access-control-expose-headers')).toBe('Retry-After');
    const refused = await fetch(`${t.url}/api/v1/machines`, { headers: { origin: desktopAppOrigin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(desktopAppOrigin);
  });

  it('gives a foreign origin no CORS header, and refuses its preflight with the reason', async () => {
    t = await TestBroker.start();
    const answer = await preflight('/api/v1/signout', 'https://evil.example', 'POST');
    expect(answer.status).toBe(403);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(/not this broker's/);
    const health = await fetch(`${t.url}/api/v1/health`, { headers: { origin: 'https://evil.example' } });
    expect(health.status).toBe(200);
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('admits origins given with --allowed-origin, and nothing outside /api/v1/', async () => {
    t = await TestBroker.start({ allowedOrigins: ['http://localhost:5173'] });
    expect(
      (await preflight('/api/v1/health', 'http://localhost:5173')).headers.get('access-control-allow-origin'),
    ).toBe('http://localhost:5173');
    const page = await fetch(`${t.url}/index.html`, { headers: { origin: desktopAppOrigin } });
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('leaves same-origin requests as they were', async () => {
    t = await TestBroker.start();
    const answer = await post(t, '/api/v1/session/refresh', { refreshToken: 'ftr_nope' });
    expect(answer.status).toBe(401);
  });
});
