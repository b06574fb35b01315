/**
 * Test support: a real broker on loopback (broker/src/testing) with a
 * signed-in person, loaded by path at run time. src-main may not import
 * broker code (the compiler's project graph keeps them apart), but its
 * tests may start one, as they would start a broker process.
 */
import { fileURLToPath } from 'node:url';

export interface RealBroker {
  /** `http://127.0.0.1:PORT` (plain HTTP on loopback, as in development). */
  url: string;
  close(): Promise<void>;
}

export interface Person {
  tokens: { accessToken: string; refreshToken: string };
}

interface TestingModules {
  TestBroker: { start(options?: Record<string, unknown>): Promise<RealBroker> };
  signedInPerson(broker: RealBroker, name: string): Promise<Person>;
}

async function load(): Promise<TestingModules> {
  const path = (name: string) => fileURLToPath(new URL(`../../broker/src/testing/${name}.ts`, import.meta.url));
  const [brokerModule, peopleModule] = await Promise.all([
    import(/* @vite-ignore */ path('testBroker')),
    import(/* @vite-ignore */ path('people')),
  ]);
  return {
    TestBroker: (brokerModule as Pick<TestingModules, 'TestBroker'>).TestBroker,
    signedInPerson: (peopleModule as Pick<TestingModules, 'signedInPerson'>).signedInPerson,
  };
}

/** A broker with one registered person, `name`, signed in with a fresh passkey check. */
export async function startRealBroker(name: string, options: Record<string, unknown> = {}) {
  const modules = await load();
  const broker = await modules.TestBroker.start(options);
  const person = await modules.signedInPerson(broker, name);
  return { broker, person };
}

/**
 * The person in the browser: approves the sign-in page's request with
 * their fresh sign-in (what the /cli-login page does after the passkey),
 * then the browser follows the redirect to the app's loopback listener.
 */
export async function approveInBrowser(broker: RealBroker, person: Person, signInUrl: string): Promise<void> {
  const params = new URL(signInUrl).searchParams;
  const answer = await fetch(`${broker.url}/api/v1/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${person.tokens.accessToken}` },
    body: JSON.stringify({
      redirectUri: params.get('redirect_uri'),
      codeChallenge: params.get('code_challenge'),
      state: params.get('state'),
    }),
  });
  const body = (await answer.json()) as { redirect?: string; error?: { message: string } };
  if (!body.redirect) throw new Error(`the broker refused to authorize: ${body.error?.message}`);
  const redirect = body.redirect;
  await fetch(redirect);
}
