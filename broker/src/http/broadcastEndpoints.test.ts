import { afterEach, describe, expect, it } from 'vitest';
import { confirmWithPasskey, post, signedInPerson } from '../testing/people';
import { TestBroker } from '../testing/testBroker';

let t: TestBroker;
let clock: number;
afterEach(() => t.close());

describe('POST /api/v1/broadcast/check', () => {
  it('says no step-up is needed for a narrow broadcast to ordinary machines', async () => {
    t = await TestBroker.start();
    await t.enroll('web-1', { env: 'staging' });
    const alice = await signedInPerson(t, 'alice');
    const answer = await post(t, '/api/v1/broadcast/check', { machines: ['web-1', 'web-1'] }, alice.tokens.accessToken);
    expect(answer).toMatchObject({ status: 200, body: { stepUp: 'not-needed' } });
  });

  it('asks for a step-up for an env=prod machine or a wide broadcast once the last check is old, then accepts', async () => {
    clock = Date.now();
    t = await TestBroker.start({ now: () => clock });
    await t.enroll('db-1', { env: 'prod' });
    const alice = await signedInPerson(t, 'alice');
    clock += 6 * 60_000;
    const check = (machines: string[]) => post(t, '/api/v1/broadcast/check', { machines }, alice.tokens.accessToken);
    expect(await check(['db-1'])).toMatchObject({
      status: 403,
      body: { error: { code: 'STEP_UP_REQUIRED', message: expect.stringContaining('a broadcast to db-1 (env=prod)') } },
    });
    expect(await check(Array.from({ length: 11 }, () => 'unknown-machine'))).toMatchObject({
      status: 403,
      body: { error: { message: expect.stringContaining('11 sessions (more than 10)') } },
    });
    expect((await confirmWithPasskey(t, alice.authenticator, alice.tokens.accessToken)).status).toBe(200);
    expect(await check(['db-1'])).toMatchObject({ status: 200, body: { stepUp: 'fresh' } });
  });

  it('refuses an empty list and an unauthenticated request', async () => {
    t = await TestBroker.start();
    const alice = await signedInPerson(t, 'alice');
    expect(await post(t, '/api/v1/broadcast/check', { machines: [] }, alice.tokens.accessToken)).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: expect.stringContaining('machines') } },
    });
    expect((await post(t, '/api/v1/broadcast/check', { machines: ['x'] })).status).toBe(401);
  });
});
