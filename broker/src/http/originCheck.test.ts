import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { desktopAppOrigin } from '../../../common/desktopApi';
import { originAllowed, parseAllowedOrigins } from './originCheck';

const request = (origin: string | undefined, host = 'broker.example.org:7420') =>
  ({ headers: { origin, host } }) as unknown as IncomingMessage;

describe('originAllowed', () => {
  it('allows the broker itself, with the listener scheme only', () => {
    expect(originAllowed(request('https://broker.example.org:7420'), true, new Set())).toEqual({ ok: true });
    expect(originAllowed(request('http://broker.example.org:7420'), true, new Set()).ok).toBe(false);
  });

  it('always allows the desktop app, exactly as written', () => {
    expect(originAllowed(request(desktopAppOrigin), true, new Set())).toEqual({ ok: true });
    for (const lookalike of ['app://fleetterm.evil', 'app://other', 'APP://fleetterm/', 'null']) {
      expect(originAllowed(request(lookalike), true, new Set()).ok, lookalike).toBe(false);
    }
  });

  it('allows configured origins, refuses foreign and missing ones with a reason', () => {
    const allowed = parseAllowedOrigins(['https://console.example.org']);
    expect(originAllowed(request('https://console.example.org'), true, allowed)).toEqual({ ok: true });
    expect(originAllowed(request('https://evil.example'), true, allowed)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/--allowed-origin/),
    });
    expect(originAllowed(request(undefined), true, allowed)).toMatchObject({ ok: false });
  });
});
