import { createHash, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { requestJson, type JsonRequestFailure } from './httpsJson';
import { splitPemChain } from '../pki/pem';

/**
 * The broker's CA roots as `GET /api/v1/ca` announces them. The contract
 * (broker side, no authentication):
 *
 *     GET /api/v1/ca  ->  200 { "roots": [ { "pem": "-----BEGIN CERTIFICATE-----…",
 *                                             "pin": "sha256/<base64>", "fingerprint": "AB:CD:…" } ] }
 *
 * `roots` are the CA root certificates the broker's certificates chain to,
 * current first (two during a CA rotation: the new and the previous one).
 * Errors are `{ "error": { "code", "message" } }`.
 *
 * The pins and fingerprints in the answer are never believed: each is
 * recomputed from its PEM, and a mismatch refuses the whole answer.
 */
export interface BrokerRoot {
  /** One PEM certificate, ending with a newline. */
  pem: string;
  /** `sha256/<base64>` of the root's SubjectPublicKeyInfo (RFC 7469), what `--ca-pin` gives. */
  pin: string;
  /** SHA-256 of the certificate, colon-separated upper-case hex, what people compare. */
  fingerprint: string;
  /** The root's subject, e.g. `CN=Fleetterm Root CA 1a2b3c4d, O=Fleetterm`, to show people. */
  subject: string;
}

export const CA_PATH = '/api/v1/ca';

/** A broker has one root, two during a rotation; a list longer than this is not a broker's. */
const MAX_ROOTS = 8;
/** A P-256 root certificate is under 1 KiB of PEM; RSA 4096 roots about 2 KiB. */
const MAX_PEM_CHARS = 16 * 1024;

const CaAnswer = z.object({
  roots: z
    .array(
      z.object({
        pem: z.string().max(MAX_PEM_CHARS),
        pin: z.string().max(200),
        fingerprint: z.string().max(200),
      }),
    )
    .min(1)
    .max(MAX_ROOTS),
});

export type BrokerRootsResult = { ok: true; roots: BrokerRoot[] } | JsonRequestFailure;

export interface FetchBrokerRootsOptions {
  /**
   * Verify the broker against these CA certificates. Without it the fetch is
   * insecure: the answer then proves nothing until a pin or a person
   * confirms it.
   */
  ca?: string | string[];
  timeoutMs?: number;
}

/** `GET <httpsBase>/api/v1/ca`, checked; insecure unless `options.ca` is given. */
export async function fetchBrokerRoots(
  httpsBase: string,
  options: FetchBrokerRootsOptions = {},
): Promise<BrokerRootsResult> {
  const url = `${httpsBase.replace(/\/+$/, '')}${CA_PATH}`;
  const answer = await requestJson(url, {
    ca: options.ca,
    insecure: options.ca === undefined,
    timeoutMs: options.timeoutMs,
  });
  if (!answer.ok) return answer;
  if (answer.status !== 200) {
    const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const detail = typeof error?.message === 'string' ? `: ${String(error.code)}: ${error.message}` : '';
    return badAnswer(
      `${url} answered HTTP ${answer.status}${detail}; a broker without TLS support has no CA to fetch: ` +
        'ask its admin for the CA file (pass it with --ca-file) or upgrade the broker',
    );
  }
  return parseBrokerRoots(answer.body, url);
}

/** Checks an answer of /api/v1/ca: the shape, and each pin and fingerprint against its certificate. */
export function parseBrokerRoots(body: unknown, source: string): BrokerRootsResult {
  const parsed = CaAnswer.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return badAnswer(
      `${source} is not a CA list (${issue?.path.join('.') || 'body'}: ${issue?.message}); is this a Fleetterm broker?`,
    );
  }
  const roots: BrokerRoot[] = [];
  for (const [index, claimed] of parsed.data.roots.entries()) {
    const root = rootFromPem(claimed.pem);
    if (!root.ok) return badAnswer(`${source}: root ${index + 1} ${root.error}; refusing the CA list`);
    if (root.value.pin !== claimed.pin || root.value.fingerprint.toUpperCase() !== claimed.fingerprint.toUpperCase()) {
      return badAnswer(
        `${source}: root ${index + 1} claims pin ${claimed.pin} and fingerprint ${claimed.fingerprint}, but its ` +
          `certificate has pin ${root.value.pin} and fingerprint ${root.value.fingerprint}; refusing the CA list ` +
          '(a broken broker or something in the way)',
      );
    }
    if (!roots.some((known) => known.pin === root.value.pin)) roots.push(root.value);
  }
  return { ok: true, roots };
}

/** The roots whose SPKI pin is `pin` (normally one; none when the pin is not the broker's). */
export function rootsMatchingPin(roots: readonly BrokerRoot[], pin: string): BrokerRoot[] {
  const wanted = pin.trim();
  return roots.filter((root) => root.pin === wanted);
}

/**
 * The CA certificates of a PEM bundle (an admin's CA file: root, or issuing
 * CA + root). Leaf certificates are left out; none at all is an error.
 */
export function rootsFromBundle(pem: string): { ok: true; roots: BrokerRoot[] } | { ok: false; error: string } {
  const blocks = splitPemChain(pem);
  if (blocks.length === 0) return { ok: false, error: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  const roots: BrokerRoot[] = [];
  for (const [index, block] of blocks.entries()) {
    const root = rootFromPem(block);
    if (!root.ok) {
      if (root.error.includes('not a CA certificate')) continue;
      return { ok: false, error: `certificate ${index + 1} ${root.error}` };
    }
    if (!roots.some((known) => known.pin === root.value.pin)) roots.push(root.value);
  }
  if (roots.length === 0) {
    return {
      ok: false,
      error: "holds no CA certificate (only server or client certificates); use the broker's root.crt",
    };
  }
  return { ok: true, roots };
}

/** One CA certificate with its pin and fingerprint computed here. */
export function rootFromPem(pem: string): { ok: true; value: BrokerRoot } | { ok: false; error: string } {
  const blocks = splitPemChain(pem);
  if (blocks.length !== 1) return { ok: false, error: `must be exactly one PEM certificate, found ${blocks.length}` };
  const block = blocks[0] as string;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(block);
  } catch (error) {
    return { ok: false, error: `is not a readable certificate (${error instanceof Error ? error.message : error})` };
  }
  const subject = cert.subject.split('\n').join(', ');
  if (!cert.ca) return { ok: false, error: `(${subject}) is not a CA certificate` };
  return { ok: true, value: { pem: block, pin: pinOf(cert), fingerprint: cert.fingerprint256, subject } };
}

/**
 * The same value as node-common/pki's `spkiPin` (the tests hold them equal), computed with node:crypto
 * alone: those modules load @peculiar/x509, which would double the size of
 * the CLI bundle for nothing it needs here.
 */
function pinOf(cert: X509Certificate): string {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

function badAnswer(message: string): JsonRequestFailure {
  return { ok: false, code: 'BAD_ANSWER', message };
}
