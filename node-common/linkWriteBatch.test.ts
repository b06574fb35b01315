import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { LinkWriteBatch, type FlushScheduler } from './linkWriteBatch';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A connected client on a loopback server, with every message the server receives, and the client socket's writes. */
async function connected(): Promise<{ client: WebSocket; received: string[]; writes: () => number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await once(server, 'listening');
  const received: string[] = [];
  server.on('connection', (socket) => socket.on('message', (data) => received.push(String(data))));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  cleanups.push(() => client.terminate());
  await once(client, 'open');
  // Count what reaches the socket's write path (one _write or _writev per write the stream makes).
  const socket = (client as unknown as { _socket: { _write: unknown; _writev: unknown } })._socket;
  let writes = 0;
  for (const name of ['_write', '_writev'] as const) {
    const original = socket[name] as (...args: unknown[]) => unknown;
    socket[name] = function (this: unknown, ...args: unknown[]) {
      writes += 1;
      return original.apply(this, args);
    };
  }
  return { client, received, writes: () => writes };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('LinkWriteBatch', () => {
  it('writes the frames one callback sends with one write, in order', async () => {
    const { client, received, writes } = await connected();
    const batch = new LinkWriteBatch(client);
    const before = writes();
    for (let i = 0; i < 100; i++) batch.send(i % 2 ? `text ${i}` : Buffer.from(`binary ${i}`), i % 2 === 0);
    expect(writes()).toBe(before); // held until the callback is done
    await until(() => received.length === 100);
    expect(writes() - before).toBe(1);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => (i % 2 ? `text ${i}` : `binary ${i}`)));
  });

  it('lets a lone frame go before any other I/O or timer is handled, and batches again afterwards', async () => {
    const { client, received, writes } = await connected();
    const batch = new LinkWriteBatch(client);
    const before = writes();
    batch.send('key', false);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(writes() - before).toBe(1);
    batch.send('a', false);
    batch.send('b', false);
    await until(() => received.length === 3);
    expect(received).toEqual(['key', 'a', 'b']);
    expect(writes() - before).toBe(2);
  });

  it('flushes when its scheduler says so', async () => {
    const { client, received, writes } = await connected();
    let flush: (() => void) | undefined;
    const manual: FlushScheduler = (run) => (flush = run);
    const batch = new LinkWriteBatch(client, manual);
    const before = writes();
    batch.send('a', false);
    batch.send('b', false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes() - before).toBe(0);
    expect(received).toEqual([]);
    flush!();
    await until(() => received.length === 2);
    expect(writes() - before).toBe(1);
  });

  it('sends at once on a WebSocket without a socket to cork (a test double)', () => {
    const sent: unknown[] = [];
    const fake = { send: (data: unknown) => sent.push(data) } as unknown as WebSocket;
    new LinkWriteBatch(fake).send('x', false);
    expect(sent).toEqual(['x']);
  });
});
