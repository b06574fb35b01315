import { describe, expect, it } from 'vitest';
import { formatHttpUrl, isLoopbackHost, parseListenAddress } from './listenAddress';

describe('parseListenAddress', () => {
  it('reads HOST:PORT and [IPv6]:PORT, port 0 included', () => {
    expect(parseListenAddress('127.0.0.1:7420')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 7420 } });
    expect(parseListenAddress('localhost:0')).toEqual({ ok: true, value: { host: 'localhost', port: 0 } });
    expect(parseListenAddress('[::1]:80')).toEqual({ ok: true, value: { host: '::1', port: 80 } });
  });

  it('refuses anything else with an example', () => {
    for (const text of ['7420', ':7420', '127.0.0.1', '127.0.0.1:99999', '[nope]:1', '::1:7420', 'a:b']) {
      const parsed = parseListenAddress(text);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.error).toContain('HOST:PORT');
    }
  });
});

describe('isLoopbackHost', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '128.0.0.1',
      'example.com',
      'localhost.evil.com',
      '127.0.0.1.nip.io',
    ]) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});

describe('formatHttpUrl', () => {
  it('brackets IPv6 hosts', () => {
    expect(formatHttpUrl('::1', 1, true)).toBe('https://[::1]:1');
    expect(formatHttpUrl('127.0.0.1', 7420, false)).toBe('http://127.0.0.1:7420');
  });
});
