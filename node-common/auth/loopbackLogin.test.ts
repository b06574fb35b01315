import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startLoopbackLogin } from './loopbackLogin';

describe('startLoopbackLogin', () => {
  it('opens the sign-in page with an S256 challenge of its verifier and a loopback redirect', async () => {
    const login = await startLoopbackLogin('https://broker.example.org:7420');
    try {
      const url = new URL(login.url);
      expect(url.origin + url.pathname).toBe('https://broker.example.org:7420/cli-login');
      expect(url.searchParams.get('redirect_uri')).toBe(login.redirectUri);
      expect(login.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      expect(url.searchParams.get('code_challenge')).toBe(
        createHash('sha256').update(login.codeVerifier).digest('base64url'),
      );
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    } finally {
      login.close();
    }
  });

  it('takes the code only with the right state, and shows the done message', async () => {
    const login = await startLoopbackLogin('http://localhost:7420', { doneMessage: 'Back to Fleetterm.' });
    try {
      const state = new URL(login.url).searchParams.get('state');
      const wrong = await fetch(`${login.redirectUri}?code=c1&state=other`);
      expect(wrong.status).toBe(400);
      const right = await fetch(`${login.redirectUri}?code=c2&state=${state}`);
      expect(await right.text()).toBe('Back to Fleetterm.\n');
      await expect(login.code).resolves.toBe('c2');
    } finally {
      login.close();
    }
  });

  it('rejects a waiting code when closed, and when nobody confirms in time', async () => {
    const closed = await startLoopbackLogin('http://localhost:7420');
    closed.close();
    closed.close();
    await expect(closed.code).rejects.toThrow(/cancelled/);
    const slow = await startLoopbackLogin('http://localhost:7420', { timeoutMs: 10 });
    await expect(slow.code).rejects.toThrow(/nobody confirmed/);
    slow.close();
  });
});
