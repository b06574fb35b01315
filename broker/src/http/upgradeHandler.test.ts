import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/captureLogger';
import { TestBroker } from '../testing/testBroker';
import { WsPeer } from '../testing/wsPeer';

let t: TestBroker;
afterEach(() => t.close());

/** Sends a raw upgrade request; resolves with what the server wrote once it closed the socket. */
function rawUpgrade(path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(t.broker.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${t.broker.port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...Object.entries(headers).map(([key, value]) => `${key}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

describe('a refused upgrade', () => {
  it('of a ws client is answered and closed without the client closing anything', async () => {
    t = await TestBroker.start();
    const refusal = await WsPeer.refusal(t.wsUrl('/ws/console'), 'ftk_nope');
    expect(refusal).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  });
});

describe('an upgrade to a path URL parsing rejects', () => {
  it('is refused with a JSON 404 and no error is logged', async () => {
    const { logger, records } = captureLogger();
    t = await TestBroker.start({ logger });
    const text = await rawUpgrade('//');
    expect(text).toMatch(/^HTTP\/1\.1 404 /);
    expect(text).toContain('"code":"NOT_FOUND"');
    expect(records.filter((r) => r.level >= 50)).toEqual([]);
  });
});
