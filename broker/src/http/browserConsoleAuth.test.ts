import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../common/protocol';
import { captureLogger } from '../testing/captureLogger';
import { signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';
import { WsPeer } from '../testing/wsPeer';
import { BEARER_SUBPROTOCOL_PREFIX, CONSOLE_SUBPROTOCOL } from './browserConsoleAuth';

let t: TestBroker;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await t.close();
});

type Outcome = { opened: WebSocket } | { status: number; body: { error?: { code: string; message: string } } };

/**
 * What a browser does: no Authorization header (it cannot set one), the
 * page's origin, and the token in the subprotocol list.
 */
function browserUpgrade(protocols: string[], origin = t.url): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.wsUrl('/ws/console'), protocols, { origin, perMessageDeflate: false });
    sockets.push(ws);
    ws.once('open', () => resolve({ opened: ws }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as never }));
    });
    ws.once('error', reject);
  });
}

const bearer = (token: string) => `${BEARER_SUBPROTOCOL_PREFIX}${token}`;

/** Says hello on an opened link and resolves with the welcome's identity. */
function welcomeIdentity(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; identity?: string };
      if (message.type === 'welcome') resolve(String(message.identity));
    });
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, role: 'console', software: 'test-page/1' }));
  });
}

describe('a browser console link (token in Sec-WebSocket-Protocol)', () => {
  it('opens with a signed-in person’s access token and answers fleetterm.v1, never the token', async () => {
    const { logger, records } = captureLogger();
    t = await TestBroker.start({ logger });
    const { tokens } = await signedInPerson(t, 'ada');
    const outcome = await browserUpgrade([CONSOLE_SUBPROTOCOL, bearer(tokens.accessToken)]);
    if (!('opened' in outcome)) throw new Error(`refused: ${JSON.stringify(outcome)}`);
    expect(outcome.opened.protocol).toBe(CONSOLE_SUBPROTOCOL);
    expect(await welcomeIdentity(outcome.opened)).toBe('ada');
    expect(JSON.stringify(records)).not.toContain(tokens.accessToken);
  });

  it('opens with an API token too, and the header still wins when both are present', async () => {
    t = await TestBroker.start();
    const token = t.apiToken('operator', 'robot');
    const outcome = await browserUpgrade([CONSOLE_SUBPROTOCOL, bearer(token)]);
    if (!('opened' in outcome)) throw new Error(`refused: ${JSON.stringify(outcome)}`);
    expect(await welcomeIdentity(outcome.opened)).toBe('robot');

    // A good subprotocol token does not rescue a bad Authorization header.
    const refusal = await WsPeer.refusal(t.wsUrl('/ws/console'), 'ftk_wrong', {
      headers: {
        authorization: 'Bearer ftk_wrong',
        'sec-websocket-protocol': `${CONSOLE_SUBPROTOCOL}, ${bearer(token)}`,
      },
    });
    expect(refusal.status).toBe(401);
  });

  it('refuses a wrong or missing token with 401 before a socket exists, without logging the token', async () => {
    const { logger, records } = captureLogger();
    t = await TestBroker.start({ logger });
    const wrong = 'fta_' + 'x'.repeat(43);
    expect(await browserUpgrade([CONSOLE_SUBPROTOCOL, bearer(wrong)])).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED' } },
    });
    expect(await browserUpgrade([CONSOLE_SUBPROTOCOL])).toMatchObject({ status: 401 });
    expect(JSON.stringify(records)).not.toContain(wrong);
    expect(records.filter((r) => r.msg === 'link refused')).toHaveLength(2);
  });

  it('refuses a token without fleetterm.v1 beside it, or two tokens, saying what to send', async () => {
    t = await TestBroker.start();
    const token = t.apiToken('operator');
    const alone = await browserUpgrade([bearer(token)]);
    expect(alone).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect('body' in alone && alone.body.error?.message).toContain('fleetterm.v1');
    expect(await browserUpgrade([CONSOLE_SUBPROTOCOL, bearer(token), bearer(token + 'x')])).toMatchObject({
      status: 400,
    });
  });

  it('checks the Origin first: a page of another site gets 403 even with a valid token', async () => {
    t = await TestBroker.start();
    const token = t.apiToken('operator');
    expect(await browserUpgrade([CONSOLE_SUBPROTOCOL, bearer(token)], 'https://evil.example')).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    });
  });
});
