import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KnownBrokers, knownBrokersPath } from '../../node-common/trust';
import {
  caDocument,
  createTestCa,
  startBrokerStandIn,
  type BrokerStandIn,
  type TestCa,
} from '../../node-common/trust/testing/brokerStandIn';
import type { ConnectionSettings } from './connection';
import { CliError } from './exitCodes';
import { Capture } from './testing';
import { canAsk, createTrustRunner, type TrustCommandOptions } from './trustCommand';

const HOUR = 60 * 60 * 1000;
let pinned: TestCa;
let rotated: TestCa;
let attacker: TestCa;
let broker: BrokerStandIn;
let configDir: string;

beforeAll(async () => {
  [pinned, rotated, attacker] = await Promise.all([createTestCa(), createTestCa(), createTestCa()]);
  broker = await startBrokerStandIn(pinned.server, [pinned.rootPem]);
});
afterAll(async () => {
  await broker.close();
  [pinned, rotated, attacker].forEach((ca) => ca.dispose());
});
beforeEach(() => {
  configDir = mkdtempSync(join(tmpdir(), 'fleetterm-cli-trust-'));
});
afterEach(() => {
  broker.setIdentity(pinned.server);
  broker.setCaAnswer(caDocument([pinned.rootPem]));
  rmSync(configDir, { recursive: true, force: true });
});

/** A trust runner on a temp config dir; `answers` are what the person types, none means no terminal. */
function runner(answers?: string[], now = Date.now) {
  const io = { stdout: new Capture(), stderr: new Capture(), env: { FLEETTERM_CONFIG_DIR: configDir } };
  const questions: string[] = [];
  const ask = answers && (async (question: string) => (questions.push(question), answers.shift() ?? ''));
  const store = new KnownBrokers(knownBrokersPath(io.env));
  return { io, questions, store, trust: createTrustRunner(io, { ask, now }) };
}

function settings(): ConnectionSettings {
  return { httpBase: broker.url, wsUrl: `${broker.url.replace('https', 'wss')}/ws/console`, token: 'ftk_x' };
}

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CliError)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

function trustOptions(options: Partial<TrustCommandOptions>): TrustCommandOptions {
  return { broker: broker.url, yes: false, list: false, ...options };
}

describe('connecting to an https:// broker', () => {
  it('asks on first contact, showing the fingerprint, and pins the CA when the answer is yes', async () => {
    const { io, questions, store, trust } = runner(['y']);
    const trusted = await trust.establish(settings(), {});
    expect(trusted.ca).toEqual([pinned.rootPem]);
    expect(questions).toEqual(["Trust this broker's CA? [y/N] "]);
    expect(io.stderr.text).toContain(`The authenticity of the broker ${broker.hostPort} can't be established.`);
    expect(io.stderr.text).toContain(`SHA256 ${pinned.fingerprint}`);
    expect(store.get(broker.hostPort)).toMatchObject({ pins: [pinned.pin], source: 'confirmed' });
    // Pinned: the next run asks nothing.
    const again = runner([]);
    expect((await again.trust.establish(settings(), {})).ca).toEqual([pinned.rootPem]);
    expect(again.questions).toEqual([]);
  });

  it('pins nothing and exits 4 when the answer is not yes', async () => {
    const { store, trust } = runner(['']);
    expect((await refusal(trust.establish(settings(), {}))).exitCode).toBe(4);
    expect(store.list()).toEqual({});
  });

  it('refuses without a terminal, saying how to pin the CA', async () => {
    const { trust } = runner(undefined);
    const error = await refusal(trust.establish(settings(), {}));
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`${broker.hostPort} is not a known broker`);
    expect(error.message).toContain(pinned.fingerprint);
    expect(error.message).toContain(`fleetterm trust --broker ${broker.url}`);
    expect(error.message).toContain('--ca-file FILE or --ca-pin PIN');
  });

  it('asks only on a terminal, and never in CI', () => {
    const tty = { isTTY: true };
    const io = (env: Record<string, string>) => ({ stdout: new Capture(), stderr: new Capture(true), env });
    expect(canAsk(io({}), tty)).toBe(true);
    expect(canAsk(io({ CI: 'true' }), tty)).toBe(false);
    expect(canAsk(io({ CI: 'false' }), tty)).toBe(true);
    expect(canAsk(io({}), { isTTY: false })).toBe(false);
    expect(canAsk({ ...io({}), stderr: new Capture(false) }, tty)).toBe(false);
  });

  it('takes the CA from a file or a pin without asking, and pins it', async () => {
    const file = join(configDir, 'root.crt');
    writeFileSync(file, pinned.rootPem);
    const byFile = runner(undefined);
    expect((await byFile.trust.establish(settings(), { caFile: file })).ca).toEqual([pinned.rootPem]);
    expect(byFile.store.get(broker.hostPort)?.source).toBe('ca-file');
    rmSync(byFile.store.path);
    const byPin = runner(undefined);
    expect((await byPin.trust.establish(settings(), { caPin: pinned.pin })).ca).toEqual([pinned.rootPem]);
    expect(byPin.store.get(broker.hostPort)?.source).toBe('ca-pin');
  });

  it('refuses a CA file or pin the broker does not match', async () => {
    const file = join(configDir, 'other.crt');
    writeFileSync(file, attacker.rootPem);
    expect((await refusal(runner().trust.establish(settings(), { caFile: file }))).exitCode).toBe(4);
    expect((await refusal(runner().trust.establish(settings(), { caPin: attacker.pin }))).exitCode).toBe(4);
  });

  it('refuses a changed CA with the warning, and leaves the entry as it was', async () => {
    await runner(['y']).trust.establish(settings(), {});
    const before = readFileSync(knownBrokersPath({ FLEETTERM_CONFIG_DIR: configDir }), 'utf8');
    broker.setIdentity(attacker.server);
    broker.setCaAnswer(caDocument([attacker.rootPem]));
    const later = runner(['y'], () => Date.now() + 2 * HOUR);
    const error = await refusal(later.trust.establish(settings(), {}));
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain("WARNING: THE BROKER'S CERTIFICATE AUTHORITY HAS CHANGED!");
    expect(error.message).toContain(`SHA256 ${pinned.fingerprint}`);
    expect(error.message).toContain(`SHA256 ${attacker.fingerprint}`);
    expect(error.message).toContain(`fleetterm trust --forget ${broker.hostPort}`);
    expect(later.questions).toEqual([]); // never offered to trust the new CA
    expect(readFileSync(later.store.path, 'utf8')).toBe(before);
  });

  it('adds a root the broker announces during a rotation, once the hourly check is due', async () => {
    await runner(['y']).trust.establish(settings(), {});
    broker.setCaAnswer(caDocument([rotated.rootPem, pinned.rootPem]));
    const soon = runner([]);
    expect((await soon.trust.establish(settings(), {})).ca).toEqual([pinned.rootPem]);
    const later = runner([], () => Date.now() + 2 * HOUR);
    expect((await later.trust.establish(settings(), {})).ca).toEqual([pinned.rootPem, rotated.rootPem]);
    expect(later.io.stderr.text).toContain('announced a new CA root over a verified connection');
    expect(later.io.stderr.text).toContain(`SHA256 ${rotated.fingerprint}`);
    expect(later.store.get(broker.hostPort)?.pins).toEqual([pinned.pin, rotated.pin]);
  });

  it('refuses to work with a damaged known_brokers.json, and does not replace it', async () => {
    const { trust, store } = runner(['y']);
    writeFileSync(store.path, 'garbage', { mode: 0o600 });
    const error = await refusal(trust.establish(settings(), {}));
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`${store.path} is damaged`);
    expect(readFileSync(store.path, 'utf8')).toBe('garbage');
  });

  it('leaves plain http on loopback alone', async () => {
    const plain = { httpBase: 'http://127.0.0.1:7420', wsUrl: 'ws://127.0.0.1:7420/ws/console', token: 'ftk_x' };
    expect(await runner(undefined).trust.establish(plain, {})).toBe(plain);
  });
});

describe('fleetterm trust', () => {
  it('pins with --yes, showing the fingerprint, then lists and forgets the broker', async () => {
    const pin = runner(undefined);
    expect(await pin.trust.run(trustOptions({ yes: true }))).toBe(0);
    expect(pin.io.stderr.text).toContain(`SHA256 ${pinned.fingerprint}`);
    expect(pin.io.stdout.text).toContain(`Pinned the CA of ${broker.hostPort}`);

    const list = runner(undefined);
    expect(await list.trust.run(trustOptions({ list: true }))).toBe(0);
    expect(list.io.stdout.text).toMatch(new RegExp(`^${broker.hostPort.replace(/\./g, '\\.')}  \\(confirmed, added `));
    expect(list.io.stdout.text).toContain(`SHA256 ${pinned.fingerprint}`);

    const check = runner(undefined);
    expect(await check.trust.run(trustOptions({}))).toBe(0);
    expect(check.io.stdout.text).toContain(`${broker.hostPort} is trusted`);

    const forget = runner(undefined);
    expect(await forget.trust.run(trustOptions({ forget: broker.hostPort.toUpperCase() }))).toBe(0);
    expect(forget.store.list()).toEqual({});
    expect((await refusal(forget.trust.run(trustOptions({ forget: broker.hostPort })))).message).toContain(
      'fleetterm trust --list',
    );
    expect((await refusal(forget.trust.run(trustOptions({ forget: '::1:80' })))).exitCode).toBe(2);
  });

  it('without a terminal or --yes, refuses and says how', async () => {
    const error = await refusal(runner(undefined).trust.run(trustOptions({})));
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain(`fleetterm trust --broker ${broker.url} --yes`);
  });

  it('will not replace a pinned CA with another one from a file: forget it first', async () => {
    await runner(undefined).trust.run(trustOptions({ yes: true }));
    broker.setIdentity(attacker.server);
    broker.setCaAnswer(caDocument([attacker.rootPem]));
    const file = join(configDir, 'new.crt');
    writeFileSync(file, attacker.rootPem);
    const error = await refusal(runner(undefined).trust.run(trustOptions({ caFile: file })));
    expect(error.message).toContain('is already pinned to another CA');
    expect(error.message).toContain(`fleetterm trust --forget ${broker.hostPort}`);
    await runner(undefined).trust.run(trustOptions({ forget: broker.hostPort }));
    const repin = runner(undefined);
    expect(await repin.trust.run(trustOptions({ caFile: file }))).toBe(0);
    expect(repin.store.get(broker.hostPort)).toMatchObject({ pins: [attacker.pin], source: 'ca-file' });
  });

  it('says that plain http needs no trust, and lists nothing when nothing is pinned', async () => {
    const plain = runner(undefined);
    expect(await plain.trust.run(trustOptions({ broker: 'http://127.0.0.1:7420' }))).toBe(0);
    expect(plain.io.stdout.text).toContain('no certificate to trust');
    const list = runner(undefined);
    expect(await list.trust.run(trustOptions({ list: true }))).toBe(0);
    expect(list.io.stderr.text).toContain('No brokers are pinned yet');
  });
});
