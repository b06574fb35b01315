import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBrokerClient } from './brokerClient';
import { type CliError } from './exitCodes';
import { runLs } from './lsCommand';
import { Capture } from './testing';

const document = {
  machines: [
    {
      id: 'm1',
      name: 'web-1',
      labels: { env: 'prod' },
      os: 'linux',
      arch: 'x64',
      hostname: 'web-1.internal',
      online: true,
      lastSeen: '2025-01-01T12:00:00Z',
      sessions: 1,
      futureField: 'passed through',
    },
  ],
};

describe('fleetterm ls', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A broker HTTP API answering GET /api/v1/machines with `status` and `body`. */
  async function broker(status: number, body: unknown, seen: IncomingMessage[] = []): Promise<string> {
    server = createServer((request, response) => {
      seen.push(request);
      response.writeHead(request.url === '/api/v1/machines' ? status : 404, { 'Content-Type': 'application/json' });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function ls(httpBase: string, json: boolean) {
    const stdout = new Capture();
    const stderr = new Capture();
    const client = createBrokerClient({
      httpBase,
      wsUrl: `${httpBase.replace('http', 'ws')}/ws/console`,
      token: 'ftk_t',
    });
    const code = await runLs(
      { json },
      { client, io: { stdout, stderr, env: {} }, now: () => new Date('2025-01-01T12:00:05Z') },
    );
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('prints a table of the machines, authenticating with the token', async () => {
    const seen: IncomingMessage[] = [];
    const done = await ls(await broker(200, document, seen), false);
    expect(done.stdout).toBe(
      'NAME   STATE   OS         LABELS    SESSIONS  LAST SEEN\nweb-1  online  linux/x64  env=prod  1         now\n',
    );
    expect(seen[0]?.headers.authorization).toBe('Bearer ftk_t');
    expect(done.code).toBe(0);
  });

  it('passes the broker’s document through with --json', async () => {
    const done = await ls(await broker(200, document), true);
    expect(JSON.parse(done.stdout)).toEqual(document);
  });

  it('says how to get a token when the broker refuses it (exit 1)', async () => {
    const base = await broker(401, { error: { code: 'UNAUTHORIZED', message: 'The token is unknown.' } });
    const error = (await ls(base, false).catch((e: unknown) => e)) as CliError;
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('UNAUTHORIZED: The token is unknown.');
    expect(error.message).toContain('fleetterm-broker token create --role operator');
  });

  it('reports a broker that is not there with exit 3', async () => {
    const base = await broker(200, document);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = (await ls(base, false).catch((e: unknown) => e)) as CliError;
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/cannot reach the broker at .*connection refused/);
  });

  it('refuses an answer that is not a machine list', async () => {
    const error = (await ls(await broker(200, '<html>'), false).catch((e: unknown) => e)) as CliError;
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/not JSON/);
  });
});
