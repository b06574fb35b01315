import { afterEach, describe, expect, it } from 'vitest';
import { issueApiToken } from '../auth/issueTokens';
import type { TokenScope } from '../store/store';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
afterEach(() => t.close());

const tokenWith = (scopes: TokenScope[], name = 'bot') =>
  issueApiToken(t.store, { name, role: 'operator', ttlMs: 60_000, now: Date.now(), scopes }).token;

describe('API token scopes', () => {
  it('limit what a token opens: exec only runs commands, read only lists', async () => {
    t = await TestBroker.start();
    const agent = await t.agent((await t.enroll('web-1')).identity);
    const execOnly = await t.console(tokenWith(['exec'], 'runner'));
    execOnly.send({ type: 'open', channel: 1, machine: 'web-1', mode: 'shell', cols: 80, rows: 24 });
    expect(await execOnly.next('error')).toMatchObject({
      code: 'FORBIDDEN',
      message: "this API token's scopes are exec; this needs shell (create a token with --scope shell)",
    });
    execOnly.send({ type: 'open', channel: 2, machine: 'web-1', mode: 'exec', command: 'true', cols: 80, rows: 24 });
    expect(await agent.next('open')).toMatchObject({ mode: 'exec' });

    const readOnly = tokenWith(['read'], 'viewer');
    const listed = await fetch(`${t.url}/api/v1/machines`, { headers: { authorization: `Bearer ${readOnly}` } });
    expect(listed.status).toBe(200);
    const shellOnly = tokenWith(['shell'], 'typist');
    const refused = await fetch(`${t.url}/api/v1/machines`, { headers: { authorization: `Bearer ${shellOnly}` } });
    expect(refused.status).toBe(403);
  });
});
