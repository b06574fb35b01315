import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './httpError';
import { refuseUpgrade } from './refuseUpgrade';

let server: Server | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

describe('refuseUpgrade', () => {
  it('writes the JSON refusal and destroys its socket, even when the client never closes its side', async () => {
    const serverSocketClosed = new Promise<Socket>((resolve) => {
      // As the HTTP server does: a half-closed socket stays open until both sides end.
      server = createServer({ allowHalfOpen: true }, (socket) => {
        socket.once('close', () => resolve(socket));
        refuseUpgrade(socket, new HttpError(401, 'UNAUTHORIZED'));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server?.address() as { port: number }).port;
    let received = '';
    const ended = new Promise<void>((resolve) => {
      // allowHalfOpen: this client does not end its side when the server ends its own.
      client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      client.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      client.on('end', resolve);
    });
    const socket = await serverSocketClosed;
    await ended;
    expect(socket.destroyed).toBe(true);
    expect(received).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(received).toContain('"code":"UNAUTHORIZED"');
  });
});
