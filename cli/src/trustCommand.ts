import { createInterface } from 'node:readline';
import {
  brokerKey,
  decideBrokerTrust,
  describeRoots,
  type BrokerRoot,
  type ConfirmRoots,
  type KnownBroker,
  KnownBrokers,
  KnownBrokersError,
  knownBrokersPath,
  rootFromPem,
  type TrustDecision,
  type TrustRefusalCode,
} from '../../node-common/trust';
import { parseBrokerUrl, type ConnectionSettings, type TrustFlags } from './connection';
import { CliError, ExitCode, usageError } from './exitCodes';
import type { CliIo } from './io';

/**
 * Trusting https:// brokers, as SSH trusts hosts: the CA of each broker is
 * pinned in known_brokers.json on first contact, after a person compared its
 * fingerprint (or from an admin's --ca-file or --ca-pin), and a changed CA
 * is refused. The decisions are node-common/trust/brokerTrust.ts; this file
 * asks the person, stores the entries and prints.
 */
export interface TrustRunner {
  /** The settings with `ca` set for an https:// broker (unchanged for http://); throws CliError when refused. */
  establish(settings: ConnectionSettings, flags: TrustFlags): Promise<ConnectionSettings>;
  /** `fleetterm trust`. */
  run(options: TrustCommandOptions): Promise<number>;
}

export interface TrustCommandOptions extends TrustFlags {
  /** The broker URL (already defaulted from FLEETTERM_BROKER). */
  broker: string;
  yes: boolean;
  list: boolean;
  forget?: string;
}

export interface TrustDeps {
  io: CliIo;
  store: KnownBrokers;
  /** Asks the person at the terminal and returns their answer; absent without a terminal or in CI. */
  ask?: (question: string) => Promise<string>;
  now?: () => number;
}

/** The trust runner on this process's terminal and the user's known_brokers.json. */
export function createTrustRunner(io: CliIo, overrides: Partial<TrustDeps> = {}): TrustRunner {
  const deps: TrustDeps = {
    io,
    store: new KnownBrokers(knownBrokersPath(io.env)),
    ask: canAsk(io) ? askOnTerminal : undefined,
    ...overrides,
  };
  return {
    establish: (settings, flags) => establishTrust(settings, flags, deps),
    run: (options) => runTrust(options, deps),
  };
}

/** A person can answer: stdin and stderr are a terminal, and this is not CI. */
export function canAsk(io: CliIo, stdin: { isTTY?: boolean } = process.stdin): boolean {
  const ci = io.env.CI?.trim().toLowerCase();
  return Boolean(stdin.isTTY && io.stderr.isTTY) && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

export async function establishTrust(
  settings: ConnectionSettings,
  flags: TrustFlags,
  deps: TrustDeps,
): Promise<ConnectionSettings> {
  if (!settings.httpBase.startsWith('https://')) return settings;
  const key = keyOf(settings.httpBase);
  const decision = await decideBrokerTrust({
    httpBase: settings.httpBase,
    known: readEntry(deps.store, key),
    caFile: flags.caFile,
    caPin: flags.caPin,
    confirm: deps.ask ? confirmWith(deps) : undefined,
    now: deps.now,
  });
  const trusted = accepted(decision);
  if (trusted.save) {
    try {
      deps.store.set(key, trusted.save);
      if (trusted.added.length > 0) {
        deps.io.stderr.write(
          `fleetterm: the broker at ${key} announced a new CA root over a verified connection (a CA rotation); ` +
            `added to ${deps.store.path}:\n${describeRoots(trusted.added)}\n`,
        );
      }
    } catch (error) {
      if (!(error instanceof KnownBrokersError)) throw error;
      deps.io.stderr.write(`fleetterm: warning: the broker's CA is trusted for now but not saved: ${error.message}\n`);
    }
  }
  if (trusted.warning) deps.io.stderr.write(`fleetterm: warning: ${trusted.warning}\n`);
  return { ...settings, ca: trusted.ca };
}

export async function runTrust(options: TrustCommandOptions, deps: TrustDeps): Promise<number> {
  if (options.list) return listBrokers(deps);
  if (options.forget !== undefined) return forgetBroker(options.forget, deps);
  const endpoints = parseBrokerUrl(options.broker);
  if (!endpoints.ok) throw usageError(endpoints.error);
  const { httpBase } = endpoints.value;
  const out = deps.io.stdout;
  if (!httpBase.startsWith('https://')) {
    out.write(`${httpBase} is plain HTTP on loopback: there is no certificate to trust.\n`);
    return ExitCode.OK;
  }
  const key = keyOf(httpBase);
  const known = readEntry(deps.store, key);
  const flagged = options.caFile !== undefined || options.caPin !== undefined;
  const confirm: ConfirmRoots | undefined = options.yes
    ? async (_fingerprints, details) => {
        deps.io.stderr.write(
          `Pinning the CA of ${details.broker} without asking (--yes):\n${describeRoots(details.roots)}\n`,
        );
        return true;
      }
    : deps.ask
      ? confirmWith(deps)
      : undefined;
  const decision = await decideBrokerTrust({
    httpBase,
    // With a CA file or pin, verify against that alone, then compare with the entry below.
    known: flagged ? undefined : known,
    caFile: options.caFile,
    caPin: options.caPin,
    confirm,
    forceCheck: true,
    now: deps.now,
  });
  if (decision.kind === 'refused' && decision.code === 'UNKNOWN_BROKER') {
    throw new CliError(
      ExitCode.TRUST_REFUSED,
      `${decision.message}; or, once the fingerprint is compared, \`fleetterm trust --broker ${httpBase} --yes\``,
    );
  }
  const trusted = accepted(decision);
  let entry = trusted.save ?? known;
  if (flagged && known && trusted.save) {
    if (!trusted.save.pins.some((pin) => known.pins.includes(pin))) {
      throw new CliError(
        ExitCode.TRUST_REFUSED,
        `${key} is already pinned to another CA:\n${describeRoots(rootsOf(known))}\nThe broker verifies against ` +
          `the CA you gave:\n${describeRoots(rootsOf(trusted.save))}\nIf its CA was replaced, remove the old entry ` +
          `deliberately first: fleetterm trust --forget ${key}`,
      );
    }
    entry = merge(known, trusted.save);
  }
  if (entry && entry !== known) writeEntry(deps.store, key, entry);
  const what = known ? `${key} is trusted` : `Pinned the CA of ${key}`;
  out.write(`${what} (${deps.store.path}):\n${describeRoots(rootsOf(entry ?? known!))}\n`);
  if (trusted.added.length > 0) out.write(`Added the roots it announced since:\n${describeRoots(trusted.added)}\n`);
  if (trusted.warning) deps.io.stderr.write(`fleetterm: warning: ${trusted.warning}\n`);
  return ExitCode.OK;
}

function listBrokers(deps: TrustDeps): number {
  const entries = Object.entries(readList(deps.store));
  if (entries.length === 0) {
    deps.io.stderr.write(
      `No brokers are pinned yet (${deps.store.path}); \`fleetterm trust --broker URL\` pins one.\n`,
    );
    return ExitCode.OK;
  }
  for (const [key, entry] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    const checked = entry.checkedAt ? `, checked ${entry.checkedAt}` : '';
    deps.io.stdout.write(
      `${key}  (${entry.source}, added ${entry.addedAt}${checked})\n${describeRoots(rootsOf(entry))}\n`,
    );
  }
  return ExitCode.OK;
}

function forgetBroker(text: string, deps: TrustDeps): number {
  const key = brokerKey(text);
  if (key === null) throw usageError(`"${text}" is not HOST:PORT (IPv6 in brackets, e.g. [::1]:7420) nor a broker URL`);
  let removed: boolean;
  try {
    removed = deps.store.remove(key);
  } catch (error) {
    throw storeFailure(error);
  }
  if (!removed) {
    throw new CliError(
      ExitCode.REMOTE_FAILURE,
      `no broker ${key} is pinned in ${deps.store.path}; \`fleetterm trust --list\` shows the pinned ones`,
    );
  }
  deps.io.stdout.write(`Forgot the CA of ${key}; the next connection asks again.\n`);
  return ExitCode.OK;
}

/** Shows the fingerprints and asks, SSH style; only "y" or "yes" trusts. */
function confirmWith(deps: TrustDeps): ConfirmRoots {
  return async (_fingerprints, details) => {
    deps.io.stderr.write(
      `The authenticity of the broker ${details.broker} can't be established.\n` +
        `Its CA certificate${details.roots.length > 1 ? 's have' : ' has'} the SHA-256 fingerprint:\n` +
        `${describeRoots(details.roots)}\n` +
        'Compare it with `fleetterm-broker ca show` on the broker host (or ask its admin).\n',
    );
    const answer = (await deps.ask!("Trust this broker's CA? [y/N] ")).trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  };
}

/** One line from the terminal; end of input is "no". Releases stdin afterwards for the command's own use. */
function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve) => {
    process.stderr.write(question);
    const lines = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

function accepted(decision: TrustDecision): Extract<TrustDecision, { kind: 'trusted' }> {
  if (decision.kind === 'trusted') return decision;
  if (decision.kind === 'plain') throw new Error('unreachable: plain HTTP needs no trust decision');
  throw new CliError(refusalExitCode(decision.code), decision.message);
}

export function refusalExitCode(code: TrustRefusalCode): number {
  switch (code) {
    case 'UNREACHABLE':
    case 'TIMEOUT':
      return ExitCode.UNREACHABLE;
    case 'BAD_ANSWER':
      return ExitCode.REMOTE_FAILURE;
    case 'BAD_PIN':
    case 'CA_FILE_UNUSABLE':
      return ExitCode.USAGE;
    default:
      return ExitCode.TRUST_REFUSED;
  }
}

function keyOf(httpBase: string): string {
  const key = brokerKey(httpBase);
  if (key === null) throw usageError(`"${httpBase}" is not a broker URL`);
  return key;
}

function readEntry(store: KnownBrokers, key: string): KnownBroker | undefined {
  try {
    return store.get(key);
  } catch (error) {
    throw storeFailure(error);
  }
}

function readList(store: KnownBrokers): Record<string, KnownBroker> {
  try {
    return store.list();
  } catch (error) {
    throw storeFailure(error);
  }
}

function writeEntry(store: KnownBrokers, key: string, entry: KnownBroker): void {
  try {
    store.set(key, entry);
  } catch (error) {
    throw storeFailure(error);
  }
}

function storeFailure(error: unknown): unknown {
  return error instanceof KnownBrokersError ? new CliError(ExitCode.TRUST_REFUSED, error.message) : error;
}

/** The known entry plus the verified roots it lacked; it keeps its source and date. */
function merge(known: KnownBroker, verified: KnownBroker): KnownBroker {
  const fresh = verified.pins
    .map((pin, index) => ({ pin, pem: verified.roots[index]!, fingerprint: verified.fingerprints[index]! }))
    .filter((root) => !known.pins.includes(root.pin));
  return {
    ...known,
    roots: [...known.roots, ...fresh.map((root) => root.pem)],
    pins: [...known.pins, ...fresh.map((root) => root.pin)],
    fingerprints: [...known.fingerprints, ...fresh.map((root) => root.fingerprint)],
    checkedAt: verified.checkedAt,
  };
}

function rootsOf(entry: KnownBroker): Array<Pick<BrokerRoot, 'fingerprint' | 'subject'>> {
  return entry.roots.map((pem, index) => {
    const root = rootFromPem(pem);
    return { fingerprint: entry.fingerprints[index] ?? '', subject: root.ok ? root.value.subject : '' };
  });
}
