import { readFileSync } from 'node:fs';
import { isSpkiPin } from '../pki/pem';
import { fetchBrokerRoots, rootFromPem, rootsFromBundle, rootsMatchingPin, type BrokerRoot } from './brokerRoots';
import type { JsonRequestFailure, JsonRequestFailureCode } from './httpsJson';
import { brokerKey, knownBrokerEntry, type KnownBroker } from './knownBrokers';

/**
 * Which CA certificates to trust for a broker, decided the same way by the
 * CLI and the desktop app's main process (each stores the entry its own
 * way). In order:
 *
 * - `http://` (loopback only, see common/brokerUrl): no TLS, nothing to decide.
 * - `caFile`: an admin's PEM bundle. The broker must verify against it.
 * - `caPin`: the broker's announced roots (fetched insecurely) must include
 *   one with this SPKI pin, and its chain must verify against that root.
 * - a known entry: its roots, without a network call while `checkedAt` is
 *   younger than an hour. Otherwise, over a connection VERIFIED against
 *   them, GET /api/v1/ca and add roots the broker announces besides (a CA
 *   rotation: the broker is already trusted). When the chain no longer
 *   verifies, the CA changed: refused with an SSH-like warning.
 * - none of these: first contact. The announced roots are shown to a person
 *   (`confirm`), who compares the fingerprint with the admin's; without
 *   anybody to ask, refused.
 *
 * Whatever was accepted is then checked with a verified request, so what is
 * pinned is what the broker's chain really leads to; the roots announced
 * over that verified connection are added. Nothing here writes files:
 * `save` says what to store.
 */
export type ConfirmRoots = (
  fingerprints: string[],
  details: { broker: string; roots: BrokerRoot[] },
) => Promise<boolean>;

export interface BrokerTrustInput {
  /** The broker's HTTP base, e.g. `https://broker.example.org:7420` (common/brokerUrl). */
  httpBase: string;
  /** The stored entry for `brokerKey(httpBase)`, if any. */
  known: KnownBroker | undefined;
  /** Path of a PEM bundle (the broker's root.crt, or issuing + root) an admin handed out. */
  caFile?: string;
  /** `sha256/<base64>` of the broker's root public key (`fleetterm-broker ca show`). */
  caPin?: string;
  /** Asks a person whether to trust these roots; absent when nobody can answer (no terminal, CI). */
  confirm?: ConfirmRoots;
  /** Check a known broker's roots now, whatever `checkedAt` says (`fleetterm trust`). */
  forceCheck?: boolean;
  now?: () => number;
  /** How long a check of the announced roots holds (default 1 hour). */
  recheckAfterMs?: number;
  timeoutMs?: number;
  /** How the warnings tell people to forget and re-pin a broker (default: the fleetterm commands). */
  advice?: TrustAdvice;
}

export interface TrustAdvice {
  forget(key: string): string;
  pin(httpBase: string): string;
}

export type TrustRefusalCode =
  | JsonRequestFailureCode
  | 'CA_CHANGED'
  | 'UNKNOWN_BROKER'
  | 'NOT_CONFIRMED'
  | 'PIN_MISMATCH'
  | 'BAD_PIN'
  | 'CA_FILE_UNUSABLE';

export type TrustDecision =
  | { kind: 'plain' }
  | {
      kind: 'trusted';
      /** PEM certificates for the `ca` option of TLS connections to this broker. */
      ca: string[];
      key: string;
      /** Store this as the broker's entry (new pin, added roots, or a fresh checkedAt). */
      save?: KnownBroker;
      /** Roots added to a known entry because the verified broker announced them. */
      added: BrokerRoot[];
      /** Something worth telling, though the broker is trusted. */
      warning?: string;
    }
  | { kind: 'refused'; code: TrustRefusalCode; message: string };

export const RECHECK_AFTER_MS = 60 * 60 * 1000;

export const CLI_TRUST_ADVICE: TrustAdvice = {
  forget: (key) => `fleetterm trust --forget ${key}`,
  pin: (httpBase) => `fleetterm trust --broker ${httpBase}`,
};

export async function decideBrokerTrust(input: BrokerTrustInput): Promise<TrustDecision> {
  if (!input.httpBase.startsWith('https://')) return { kind: 'plain' };
  const key = brokerKey(input.httpBase);
  if (key === null) return refused('UNREACHABLE', `"${input.httpBase}" is not a broker URL`);
  const context: Context = { ...input, key, now: input.now ?? Date.now, advice: input.advice ?? CLI_TRUST_ADVICE };
  if (input.caFile !== undefined) return trustCaFile(context, input.caFile);
  if (input.caPin !== undefined) return trustPin(context, input.caPin);
  if (input.known) return checkKnown(context, input.known);
  return firstContact(context);
}

type Context = BrokerTrustInput & { key: string; now: () => number; advice: TrustAdvice };

async function trustCaFile(context: Context, path: string): Promise<TrustDecision> {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    return refused('CA_FILE_UNUSABLE', `cannot read the CA file ${path} (${(error as Error).message})`);
  }
  const bundle = rootsFromBundle(pem);
  if (!bundle.ok) return refused('CA_FILE_UNUSABLE', `the CA file ${path} ${bundle.error}`);
  return verifyAndPin(context, bundle.roots, 'ca-file', `the CA in ${path} (${fingerprintList(bundle.roots)})`);
}

async function trustPin(context: Context, pin: string): Promise<TrustDecision> {
  if (!isSpkiPin(pin.trim())) {
    return refused('BAD_PIN', `"${pin}" is not a CA pin; it looks like sha256/ and 44 base64 characters`);
  }
  const announced = await fetchBrokerRoots(context.httpBase, { timeoutMs: context.timeoutMs });
  if (!announced.ok) return refused(announced.code, announced.message);
  const matching = rootsMatchingPin(announced.roots, pin);
  if (matching.length === 0) {
    return refused(
      'PIN_MISMATCH',
      `the broker at ${context.key} has no CA with the pin ${pin.trim()}; it announces ` +
        `${announced.roots.map((root) => root.pin).join(', ')}. Check the pin with the broker's admin ` +
        '(`fleetterm-broker ca show`): if it is right, something is intercepting the connection',
    );
  }
  return verifyAndPin(context, matching, 'ca-pin', `the CA with the pin ${pin.trim()}`);
}

async function firstContact(context: Context): Promise<TrustDecision> {
  const announced = await fetchBrokerRoots(context.httpBase, { timeoutMs: context.timeoutMs });
  if (!announced.ok) return refused(announced.code, announced.message);
  const roots = announced.roots;
  if (!context.confirm) {
    return refused(
      'UNKNOWN_BROKER',
      `${context.key} is not a known broker, and there is nobody to confirm its CA here (no terminal). Its CA ` +
        `fingerprint is:\n${describeRoots(roots)}\nCompare it with \`fleetterm-broker ca show\` on the broker host, ` +
        `then run \`${context.advice.pin(context.httpBase)}\`, or pass the CA with --ca-file FILE or --ca-pin PIN`,
    );
  }
  const yes = await context.confirm(
    roots.map((root) => root.fingerprint),
    { broker: context.key, roots },
  );
  if (!yes) return refused('NOT_CONFIRMED', `the CA of ${context.key} was not confirmed; nothing was pinned`);
  return verifyAndPin(context, roots, 'confirmed', 'the confirmed CA');
}

/**
 * Connects verifying against `roots`; on success trusts them plus what the
 * broker announces over that connection, and pins them if it was unknown.
 */
async function verifyAndPin(
  context: Context,
  roots: BrokerRoot[],
  source: KnownBroker['source'],
  what: string,
): Promise<TrustDecision> {
  const probe = await probeVerified(
    context,
    roots.map((root) => root.pem),
  );
  if (!probe.ok) {
    if (probe.code !== 'TLS_UNTRUSTED') return refused(probe.code, probe.message);
    return refused('TLS_UNTRUSTED', `the broker at ${context.key} does not verify against ${what}: ${probe.message}`);
  }
  const all = union(roots, probe.announced ?? []);
  const save = context.known ? undefined : knownBrokerEntry(all, source, context.now());
  return trusted(context, all, save, [], probe.warning);
}

async function checkKnown(context: Context, known: KnownBroker): Promise<TrustDecision> {
  const knownRoots = rootsOf(known);
  const checkedAt = known.checkedAt ? Date.parse(known.checkedAt) : Number.NaN;
  const age = context.now() - checkedAt;
  if (!context.forceCheck && age >= 0 && age < (context.recheckAfterMs ?? RECHECK_AFTER_MS)) {
    return trusted(context, knownRoots, undefined, []);
  }
  const probe = await probeVerified(context, known.roots);
  if (!probe.ok) {
    if (probe.code === 'TLS_UNTRUSTED') return changedCa(context, known, probe);
    return refused(probe.code, probe.message);
  }
  if (probe.announced === null) return trusted(context, knownRoots, undefined, [], probe.warning);
  // Announced over a verified connection: the broker is already trusted, so its new roots are too.
  const added = probe.announced.filter((root) => !known.pins.includes(root.pin));
  const all = [...knownRoots, ...added];
  const save: KnownBroker = {
    ...known,
    roots: all.map((root) => root.pem),
    pins: all.map((root) => root.pin),
    fingerprints: all.map((root) => root.fingerprint),
    checkedAt: new Date(context.now()).toISOString(),
  };
  return trusted(context, all, save, added);
}

/** The chain no longer verifies against the pinned roots: say what changed, as SSH does. */
async function changedCa(context: Context, known: KnownBroker, failure: JsonRequestFailure): Promise<TrustDecision> {
  const announced = await fetchBrokerRoots(context.httpBase, { timeoutMs: context.timeoutMs });
  const pinned = rootsOf(known);
  const how = `${context.advice.forget(context.key)}\n  ${context.advice.pin(context.httpBase)}`;
  if (announced.ok && announced.roots.every((root) => known.pins.includes(root.pin))) {
    return refused(
      'TLS_UNTRUSTED',
      `the certificate of the broker at ${context.key} does not verify against its pinned CA, though the broker ` +
        `still announces that CA (${failure.message}). Its certificate may have expired or be misconfigured, or ` +
        "someone in the middle repeats the broker's CA list: ask the broker's admin. Nothing was changed",
    );
  }
  const rotated = announced.ok && announced.roots.some((root) => known.pins.includes(root.pin));
  const now = announced.ok
    ? `The broker now presents a certificate that does not chain to it, and announces:\n${describeRoots(announced.roots)}`
    : `The broker now presents a certificate that does not chain to it, and does not say which CA it uses (${announced.message}).`;
  const lines = [
    BANNER_BORDER,
    BANNER_TITLE,
    BANNER_BORDER,
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    `Someone could be intercepting your connection to ${context.key} (a machine-in-the-middle attack),`,
    "or the broker's CA was replaced.",
    `The CA pinned for ${context.key} on ${known.addedAt.slice(0, 10)} (${known.source}) has the SHA-256 fingerprint:`,
    describeRoots(pinned),
    now,
    ...(rotated
      ? [
          'It lists your pinned CA next to a new one, as during a CA rotation, but this connection cannot prove',
          'that; a client that connected during the rotation would have learnt the new CA over a verified link.',
        ]
      : []),
    "Ask the broker's admin whether its CA was replaced (`fleetterm-broker ca show` on the broker host).",
    'If it was, remove the old entry deliberately and pin the new CA:',
    `  ${how}`,
    `Connection refused: the CA of ${context.key} has changed.`,
  ];
  return refused('CA_CHANGED', lines.join('\n'));
}

const BANNER_TITLE = "@    WARNING: THE BROKER'S CERTIFICATE AUTHORITY HAS CHANGED!    @";
const BANNER_BORDER = '@'.repeat(BANNER_TITLE.length);

type Probe = { ok: true; announced: BrokerRoot[] | null; warning?: string } | JsonRequestFailure;

/** GET /api/v1/ca verifying the broker against `ca`. A verified broker without a usable answer is still verified. */
async function probeVerified(context: Context, ca: string[]): Promise<Probe> {
  const answer = await fetchBrokerRoots(context.httpBase, { ca, timeoutMs: context.timeoutMs });
  if (answer.ok) return { ok: true, announced: answer.roots };
  if (answer.code !== 'BAD_ANSWER') return answer;
  return {
    ok: true,
    announced: null,
    warning: `the broker at ${context.key} is trusted, but its CA list could not be checked for new roots: ${answer.message}`,
  };
}

/** Fingerprints with the subject, one root a line, for people to compare. */
export function describeRoots(roots: ReadonlyArray<{ fingerprint: string; subject?: string }>): string {
  return roots.map((root) => `  SHA256 ${root.fingerprint}${root.subject ? `  (${root.subject})` : ''}`).join('\n');
}

function rootsOf(known: KnownBroker): BrokerRoot[] {
  return known.roots.map((pem, index) => {
    const root = rootFromPem(pem);
    // knownBrokers checked every entry when it read the file; this is only a fallback.
    return root.ok
      ? root.value
      : { pem, pin: known.pins[index] ?? '', fingerprint: known.fingerprints[index] ?? '', subject: '' };
  });
}

function union(first: BrokerRoot[], second: BrokerRoot[]): BrokerRoot[] {
  return [...first, ...second.filter((root) => !first.some((known) => known.pin === root.pin))];
}

function fingerprintList(roots: BrokerRoot[]): string {
  return roots.map((root) => root.fingerprint).join(', ');
}

function trusted(
  context: Context,
  roots: BrokerRoot[],
  save: KnownBroker | undefined,
  added: BrokerRoot[],
  warning?: string,
): TrustDecision {
  return { kind: 'trusted', ca: roots.map((root) => root.pem), key: context.key, save, added, warning };
}

function refused(code: TrustRefusalCode, message: string): TrustDecision {
  return { kind: 'refused', code, message };
}
