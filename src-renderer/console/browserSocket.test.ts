import { describe, expect, it } from 'vitest';
import { AUTH_FAILED_CLOSE_CODE, ConsoleLink } from '../../common/client';
import {
  BrowserSocket,
  checkCredentialOverHttp,
  consoleSocketUrl,
  createBrowserSocketFactory,
  type BrowserSocketOptions,
  type BrowserWebSocket,
  type CredentialCheck,
} from './browserSocket';

/** Stands in for the browser's WebSocket: records what the adapter asked of it and lets a test play the network. */
class FakeWebSocket implements BrowserWebSocket {
  static made: FakeWebSocket[] = [];
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  protocol = '';
  sent: Array<string | Uint8Array> = [];
  closeCalls: Array<[number | undefined, string | undefined]> = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeWebSocket.made.push(this);
  }

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push([code, reason]);
  }

  open(): void {
    this.readyState = 1;
    this.protocol = 'fleetterm.v1';
    this.onopen?.({});
  }

  drop(code: number, reason = ''): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code, reason });
  }
}

function socket(options: Partial<BrowserSocketOptions> = {}) {
  FakeWebSocket.made = [];
  const made = new BrowserSocket({
    url: 'wss://broker.example/ws/console',
    token: () => 'fta_secret',
    WebSocketImpl: FakeWebSocket,
    ...options,
  });
  const closes: Array<{ code: number; reason: string }> = [];
  made.onclose = (event) => closes.push(event);
  return { made, fake: FakeWebSocket.made[0], closes };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the browser socket', () => {
  it('offers fleetterm.v1 and the token as subprotocols and reads binary frames as ArrayBuffer', () => {
    const { made, fake } = socket();
    expect(fake?.url).toBe('wss://broker.example/ws/console');
    expect(fake?.protocols).toEqual(['fleetterm.v1', 'fleetterm.bearer.fta_secret']);
    expect(fake?.binaryType).toBe('arraybuffer');
    const got: unknown[] = [];
    made.onmessage = (event) => got.push(event.data);
    fake?.open();
    const bytes = new Uint8Array([1, 2]).buffer;
    fake?.onmessage?.({ data: 'text' });
    fake?.onmessage?.({ data: bytes });
    expect(got).toEqual(['text', bytes]);
  });

  it('passes a close after open through, naming a dropped connection', () => {
    const { fake, closes } = socket();
    fake?.open();
    fake?.drop(1006);
    fake?.drop(1006);
    expect(closes).toEqual([{ code: 1006, reason: 'the connection to the broker dropped' }]);
  });

  it('reports a close before open as a refused sign-in when the broker refuses the token over HTTP', async () => {
    const asked: string[] = [];
    const { fake, closes } = socket({
      checkCredential: (token) => {
        asked.push(token);
        return Promise.resolve<CredentialCheck>({ kind: 'refused', message: 'sign in again' });
      },
    });
    fake?.drop(1006);
    await settle();
    expect(asked).toEqual(['fta_secret']);
    expect(closes).toEqual([{ code: AUTH_FAILED_CLOSE_CODE, reason: 'sign in again' }]);
  });

  it('says the broker is unreachable, or that the sign-in is fine and the link itself was refused', async () => {
    const unreachable = socket({
      checkCredential: () => Promise.resolve({ kind: 'unreachable', message: 'the broker cannot be reached' }),
    });
    unreachable.fake?.drop(1006);
    const valid = socket({ checkCredential: () => Promise.resolve({ kind: 'valid' }) });
    valid.fake?.drop(1006);
    const failing = socket({ checkCredential: () => Promise.reject(new Error('boom')) });
    failing.fake?.drop(1006);
    const unchecked = socket();
    unchecked.fake?.drop(1006);
    await settle();
    expect(unreachable.closes).toEqual([{ code: 1006, reason: 'the broker cannot be reached' }]);
    expect(valid.closes[0]?.reason).toMatch(/sign-in is valid.*--allowed-origin/);
    expect(failing.closes).toEqual([{ code: 1006, reason: 'the broker cannot be reached' }]);
    expect(unchecked.closes[0]?.reason).toMatch(/refused the sign-in or cannot be reached/);
  });

  it('names an untrusted certificate', () => {
    const { fake, closes } = socket();
    fake?.drop(1015);
    expect(closes[0]?.reason).toMatch(/does not trust the broker's certificate/);
  });

  it('without a token reports a refused credential and opens nothing', async () => {
    const { fake, closes } = socket({ token: () => undefined });
    expect(fake).toBeUndefined();
    await settle();
    expect(closes).toEqual([{ code: AUTH_FAILED_CLOSE_CODE, reason: 'not signed in; sign in first' }]);
  });

  it('closes with codes the browser accepts', () => {
    const { made, fake } = socket();
    made.close(1001, 'x'.repeat(200));
    made.close(4000);
    expect(fake?.closeCalls).toEqual([
      [1000, 'x'.repeat(60)],
      [4000, undefined],
    ]);
  });

  it('reads the token anew for every connection', () => {
    let token = 'fta_one';
    FakeWebSocket.made = [];
    const factory = createBrowserSocketFactory({
      url: 'ws://x/ws/console',
      token: () => token,
      WebSocketImpl: FakeWebSocket,
    });
    factory();
    token = 'fta_two';
    factory();
    expect(FakeWebSocket.made.map((ws) => ws.protocols[1])).toEqual([
      'fleetterm.bearer.fta_one',
      'fleetterm.bearer.fta_two',
    ]);
  });

  it('lets ConsoleLink stop retrying when the sign-in was refused', async () => {
    FakeWebSocket.made = [];
    const link = new ConsoleLink({
      socketFactory: createBrowserSocketFactory({
        url: 'ws://x/ws/console',
        token: () => 'fta_old',
        WebSocketImpl: FakeWebSocket,
        checkCredential: () => Promise.resolve({ kind: 'refused', message: 'sign in again' }),
      }),
      software: 'test',
      retryFirstConnect: true,
      backoff: { baseMs: 1, capMs: 1 },
    });
    const ready = link.ready().catch((error: unknown) => error);
    FakeWebSocket.made[0]?.drop(1006);
    const error = (await ready) as { authFailed: boolean; reason: string };
    expect(error.authFailed).toBe(true);
    expect(error.reason).toBe('sign in again');
    expect(link.state).toBe('closed');
    expect(FakeWebSocket.made).toHaveLength(1);
  });
});

describe('the console URL and the credential check', () => {
  it('maps the page origin to the console endpoint', () => {
    expect(consoleSocketUrl('https://broker.example:8443')).toBe('wss://broker.example:8443/ws/console');
    expect(consoleSocketUrl('http://localhost:5000/')).toBe('ws://localhost:5000/ws/console');
  });

  it('reads 401 as refused, 2xx as valid, a network failure or another status as unreachable', async () => {
    const answer = (status: number) => (() => Promise.resolve(new Response('{}', { status }))) as typeof fetch;
    expect(await checkCredentialOverHttp('', 'fta_x', answer(401))).toMatchObject({ kind: 'refused' });
    expect(await checkCredentialOverHttp('', 'fta_x', answer(200))).toEqual({ kind: 'valid' });
    expect(await checkCredentialOverHttp('', 'fta_x', answer(502))).toMatchObject({
      kind: 'unreachable',
      message: expect.stringContaining('HTTP 502'),
    });
    const offline = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    expect(await checkCredentialOverHttp('', 'fta_x', offline)).toMatchObject({ kind: 'unreachable' });
  });
});
