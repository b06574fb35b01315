import { describe, expect, it } from 'vitest';
import type { AddProfileRequest, BrokerProfile } from '../common/desktopApi';
import { addLocalBroker } from './localBroker';

function profilesWith(urls: string[]) {
  const added: AddProfileRequest[] = [];
  const list = (): BrokerProfile[] =>
    urls.map((url, index) => ({
      id: `p${index}`,
      name: url,
      url,
      trust: { kind: 'plain' },
      signInMethod: 'auto',
      signedIn: null,
    }));
  const add = (request: AddProfileRequest) => {
    added.push(request);
    return Promise.resolve({ ok: true as const, value: list()[0]! });
  };
  return { deps: { list, add }, added };
}

describe('the broker npm start runs', () => {
  it('becomes the profile "This computer" once', async () => {
    const fresh = profilesWith([]);
    expect(await addLocalBroker('http://localhost:7420/', fresh.deps)).toBeNull();
    expect(fresh.added).toEqual([{ name: 'This computer', url: 'http://localhost:7420', trust: { kind: 'confirm' } }]);

    const known = profilesWith(['http://localhost:7420']);
    expect(await addLocalBroker('http://localhost:7420', known.deps)).toBeNull();
    expect(known.added).toEqual([]);
  });

  it('is taken only on loopback, and not at all when unset', async () => {
    const { deps, added } = profilesWith([]);
    expect(await addLocalBroker('https://broker.example.org', deps)).toMatch(/must be a URL on this computer/);
    expect(await addLocalBroker(undefined, deps)).toBeNull();
    expect(added).toEqual([]);
  });
});
