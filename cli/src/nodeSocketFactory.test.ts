import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AUTH_FAILED_CLOSE_CODE } from '../../common/client';
import { createTestCa, startBrokerStandIn } from '../../node-common/trust/testing/brokerStandIn';
import { NodeWebSocket, TLS_HANDSHAKE_CLOSE_CODE } from './nodeSocketFactory';

/** An HTTP server whose upgrades the test decides: accept as WebSocket, or answer with a status. */
async function upgradeServer(decide: (request: IncomingMessage) => { status: number; body: string } | 'accept') {
  const wss = new WebSocketServer({ noServer: true });
  const requests: IncomingMessage[] = [];
  const server: Server = createServer();
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    requests.push(request);
    const decision = decide(request);
    if (decision === 'accept') {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
      return;
    }
    socket.end(
      `HTTP/1.1 ${decision.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(decision.body)}\r\nConnection: close\r\n\r\n${decision.body}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/console`;
  return {
    url,
    wss,
    requests,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function closed(socket: NodeWebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => (socket.onclose = resolve));
}

describe('Node WebSocket factory', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('reports a 401 at the upgrade as an authentication failure, with the broker’s message', async () => {
    const body = JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'The token is unknown.' } });
    const server = await upgradeServer(() => ({ status: 401, body }));
    cleanups.push(server.close);
    const socket = new NodeWebSocket({ url: server.url, token: 'ftk_wrong' });
    expect(await closed(socket)).toEqual({
      code: AUTH_FAILED_CLOSE_CODE,
      reason: 'UNAUTHORIZED: The token is unknown.',
    });
  });

  it('reports other statuses as an ordinary failure to connect', async () => {
    const server = await upgradeServer(() => ({ status: 503, body: '{}' }));
    cleanups.push(server.close);
    const event = await closed(new NodeWebSocket({ url: server.url, token: 'ftk_x' }));
    expect(event.code).toBe(1006);
    expect(event.reason).toMatch(/HTTP 503/);
  });

  it('sends the token as a bearer, without compression, and delivers text as string and binary as ArrayBuffer', async () => {
    const server = await upgradeServer(() => 'accept');
    cleanups.push(server.close);
    server.wss.on('connection', (ws) => {
      ws.send('{"type":"hello"}');
      ws.send(new Uint8Array([1, 2, 3]));
    });
    const socket = new NodeWebSocket({ url: server.url, token: 'ftk_good' });
    const received: Array<string | ArrayBuffer> = [];
    await new Promise<void>((resolve) => {
      socket.onmessage = (event) => {
        received.push(event.data);
        if (received.length === 2) resolve();
      };
    });
    expect(received[0]).toBe('{"type":"hello"}');
    expect(received[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(received[1] as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer ftk_good');
    expect(server.requests[0]?.headers['sec-websocket-extensions']).toBeUndefined();
    socket.close(1000, 'done');
    expect((await closed(socket)).code).toBe(1000);
  });

  it('terminates a link on which nothing was heard for the silence timeout', async () => {
    const server = await upgradeServer(() => 'accept');
    cleanups.push(server.close);
    const socket = new NodeWebSocket({ url: server.url, token: 'ftk_x', silenceTimeoutMs: 100 });
    const event = await closed(socket);
    expect(event).toEqual({ code: 1006, reason: 'nothing heard from the broker for 100ms' });
  });

  it('says the connection was refused when nothing listens', async () => {
    const server = await upgradeServer(() => 'accept');
    await server.close();
    const event = await closed(new NodeWebSocket({ url: server.url, token: 'ftk_x' }));
    expect(event.code).toBe(1006);
    expect(event.reason).toMatch(/connection refused/);
  });

  it('over wss:// trusts the pinned CA and reports any other as a TLS failure (close code 1015)', async () => {
    const [ca, other] = await Promise.all([createTestCa(), createTestCa()]);
    const broker = await startBrokerStandIn(ca.server, [ca.rootPem]);
    const wss = new WebSocketServer({ noServer: true });
    broker.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
      wss.handleUpgrade(request, socket, head, (ws) => ws.send('{"type":"hello"}')),
    );
    cleanups.push(async () => {
      for (const client of wss.clients) client.terminate();
      await broker.close();
      ca.dispose();
      other.dispose();
    });
    const url = `${broker.url.replace('https', 'wss')}/ws/console`;

    const trusted = new NodeWebSocket({ url, token: 'ftk_x', ca: [ca.rootPem] });
    const message = await new Promise<unknown>((resolve) => (trusted.onmessage = (event) => resolve(event.data)));
    expect(message).toBe('{"type":"hello"}');
    trusted.close(1000, 'done');
    await closed(trusted);

    const untrusted = await closed(new NodeWebSocket({ url, token: 'ftk_x', ca: [other.rootPem] }));
    expect(untrusted.code).toBe(TLS_HANDSHAKE_CLOSE_CODE);
    expect(untrusted.reason).toMatch(/does not verify against its pinned CA \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY: /);
  });
});
