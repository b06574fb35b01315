import { describe, expect, it } from 'vitest';
import { checkToken, isLoopbackHost, parseBrokerUrl, resolveConnection } from './connection';

const TOKEN = 'ftk_abc';

describe('broker URL', () => {
  it('derives the HTTP base and the console endpoint from an http URL', () => {
    expect(parseBrokerUrl('http://127.0.0.1:7420')).toEqual({
      ok: true,
      value: { httpBase: 'http://127.0.0.1:7420', wsUrl: 'ws://127.0.0.1:7420/ws/console' },
    });
  });

  it('accepts https, ws and wss, keeps a path prefix and drops a trailing /ws/console', () => {
    expect(parseBrokerUrl('https://broker.example.com/fleet/')).toMatchObject({
      value: { httpBase: 'https://broker.example.com/fleet', wsUrl: 'wss://broker.example.com/fleet/ws/console' },
    });
    expect(parseBrokerUrl('wss://broker.example.com:8443/ws/console')).toMatchObject({
      value: { httpBase: 'https://broker.example.com:8443', wsUrl: 'wss://broker.example.com:8443/ws/console' },
    });
    expect(parseBrokerUrl('ws://localhost:7420')).toMatchObject({ value: { httpBase: 'http://localhost:7420' } });
    expect(parseBrokerUrl('http://[::1]:7420')).toMatchObject({ value: { wsUrl: 'ws://[::1]:7420/ws/console' } });
  });

  it('refuses plain http and ws beyond loopback, saying how to proceed', () => {
    for (const url of ['http://10.0.0.5:7420', 'ws://broker.example.com', 'http://128.0.0.1']) {
      const parsed = parseBrokerUrl(url);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok)
        expect(parsed.error).toContain('plain http:// and ws:// are allowed only on loopback; use https://');
    }
  });

  it('refuses what is not a broker URL', () => {
    expect(parseBrokerUrl('127.0.0.1:7420')).toMatchObject({ ok: false });
    expect(parseBrokerUrl('ftp://127.0.0.1')).toMatchObject({ ok: false });
    expect(parseBrokerUrl('http://user:pw@127.0.0.1')).toMatchObject({ ok: false });
  });

  it('knows the loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '::1', 'LOCALHOST'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', 'example.com', '::2', 'localhost.example.com'].some(isLoopbackHost)).toBe(false);
  });
});

describe('connection settings', () => {
  it('takes flags over the environment, and defaults to the local broker', () => {
    expect(resolveConnection({}, { FLEETTERM_TOKEN: TOKEN })).toMatchObject({
      value: { httpBase: 'http://127.0.0.1:7420', token: TOKEN },
    });
    expect(
      resolveConnection(
        { broker: 'http://localhost:1', token: 'ftk_flag' },
        { FLEETTERM_BROKER: 'http://localhost:2', FLEETTERM_TOKEN: TOKEN },
      ),
    ).toMatchObject({ value: { httpBase: 'http://localhost:1', token: 'ftk_flag' } });
    expect(resolveConnection({}, { FLEETTERM_BROKER: 'http://localhost:2', FLEETTERM_TOKEN: TOKEN })).toMatchObject({
      value: { httpBase: 'http://localhost:2' },
    });
  });

  it('leaves the token empty when none is given, for the saved login to fill in', () => {
    expect(resolveConnection({}, {})).toMatchObject({ ok: true, value: { token: '' } });
    const missing = checkToken(undefined);
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error).toContain('fleetterm login');
      expect(missing.error).toContain('FLEETTERM_TOKEN');
      expect(missing.error).toContain('fleetterm-broker token create --role operator');
    }
  });

  it('recognises an enrolment token given by mistake', () => {
    expect(resolveConnection({ token: 'fte_x' }, {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/enrolment token/),
    });
  });
});
