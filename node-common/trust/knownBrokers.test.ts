import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootFromPem } from './brokerRoots';
import { brokerKey, knownBrokerEntry, KnownBrokers, KnownBrokersError, knownBrokersPath } from './knownBrokers';
import { createTestCa, type TestCa } from './testing/brokerStandIn';

let ca: TestCa;
let dir: string;

beforeAll(async () => {
  ca = await createTestCa();
  dir = mkdtempSync(join(tmpdir(), 'fleetterm-known-'));
});
afterAll(() => {
  ca.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function entry() {
  const root = rootFromPem(ca.rootPem);
  if (!root.ok) throw new Error(root.error);
  return knownBrokerEntry([root.value], 'confirmed', Date.parse('2030-01-02T03:04:05Z'));
}

function thrown(action: () => unknown): KnownBrokersError {
  try {
    action();
  } catch (error) {
    if (error instanceof KnownBrokersError) return error;
    throw error;
  }
  throw new Error('expected a KnownBrokersError');
}

describe('known_brokers.json', () => {
  it('lives in FLEETTERM_CONFIG_DIR, else under XDG_CONFIG_HOME or ~/.config', () => {
    expect(knownBrokersPath({ FLEETTERM_CONFIG_DIR: '/etc/ft', XDG_CONFIG_HOME: '/x' })).toBe(
      '/etc/ft/known_brokers.json',
    );
    expect(knownBrokersPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/fleetterm/known_brokers.json');
    expect(knownBrokersPath({ XDG_CONFIG_HOME: 'relative' })).toBe(
      join(homedir(), '.config/fleetterm/known_brokers.json'),
    );
    expect(knownBrokersPath({})).toBe(join(homedir(), '.config/fleetterm/known_brokers.json'));
  });

  it('keys brokers by lower-case host:port, IPv6 in brackets, 443 by default', () => {
    expect(brokerKey('https://Broker.Example.org/fleet')).toBe('broker.example.org:443');
    expect(brokerKey('https://broker.example.org:7420')).toBe('broker.example.org:7420');
    expect(brokerKey('wss://[::1]:7420/ws/console')).toBe('[::1]:7420');
    expect(brokerKey('BROKER:8443')).toBe('broker:8443');
    expect(brokerKey('[::1]:7420')).toBe('[::1]:7420');
    expect(brokerKey('::1:7420')).toBeNull();
  });

  it('stores entries atomically with mode 0600 in a 0700 folder, and removes them', () => {
    const store = new KnownBrokers(join(dir, 'new', 'fleetterm', 'known_brokers.json'));
    expect(store.list()).toEqual({});
    store.set('broker:443', entry());
    store.set('[::1]:7420', { ...entry(), source: 'ca-pin' });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'new', 'fleetterm')).mode & 0o777).toBe(0o700);
    expect(store.get('broker:443')).toEqual(entry());
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toMatchObject({ version: 1, brokers: { 'broker:443': {} } });
    expect(store.remove('broker:443')).toBe(true);
    expect(store.remove('broker:443')).toBe(false);
    expect(Object.keys(store.list())).toEqual(['[::1]:7420']);
  });

  it('never replaces a damaged file, and says how to recover', () => {
    const path = join(dir, 'damaged.json');
    writeFileSync(path, '{"version": 1, "brokers": {', { mode: 0o600 });
    const error = thrown(() => new KnownBrokers(path).set('broker:443', entry()));
    expect(error.code).toBe('KNOWN_BROKERS_DAMAGED');
    expect(error.message).toContain(`${path} is damaged: it is not JSON`);
    expect(error.message).toContain(`mv ${path} ${path}.bad`);
    expect(readFileSync(path, 'utf8')).toBe('{"version": 1, "brokers": {');
  });

  it('calls an entry damaged when its pins are not those of its roots (a hand edit)', () => {
    const path = join(dir, 'edited.json');
    const edited = { ...entry(), pins: ['sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='] };
    writeFileSync(path, JSON.stringify({ version: 1, brokers: { 'broker:443': edited } }), { mode: 0o600 });
    expect(thrown(() => new KnownBrokers(path).list()).message).toContain('does not match its certificate');
    writeFileSync(path, JSON.stringify({ version: 2, brokers: {} }));
    expect(thrown(() => new KnownBrokers(path).list()).code).toBe('KNOWN_BROKERS_DAMAGED');
  });

  it.skipIf(process.platform === 'win32')('refuses a file that other users can change', () => {
    const path = join(dir, 'open.json');
    writeFileSync(path, JSON.stringify({ version: 1, brokers: {} }));
    chmodSync(path, 0o666);
    const error = thrown(() => new KnownBrokers(path).list());
    expect(error.code).toBe('KNOWN_BROKERS_UNSAFE');
    expect(error.message).toContain(`chmod 600 ${path}`);
  });
});
