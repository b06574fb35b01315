import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import {
  type Certificate,
  certificateFingerprint,
  certificateSans,
  certificateToPem,
  exportPrivateKeyPem,
  generateKeyPair,
  importKeyPairPem,
  type KeyPair,
  parseCertificatePem,
  spkiPin,
  x509,
  AGENT_CERT_VALIDITY_MS,
  createAgentCertificate,
  createIssuingCa,
  createRootCa,
  createServerCertificate,
  ISSUING_CA_VALIDITY_MS,
  type Issuer,
  ROOT_CA_VALIDITY_MS,
  SERVER_CERT_RENEW_BEFORE_MS,
  SERVER_CERT_VALIDITY_MS,
} from '../../../node-common/pki';
import { checkMachineId, normaliseIpAddress, sameNames, serverNames, type ServerNames } from './certificateNames';
import {
  CERT_MODE,
  KEY_MODE,
  makePrivateDir,
  pkiDir,
  pkiPath,
  previousPkiDir,
  type PkiFile,
  readPkiFile,
  writeFileAtomic,
} from './pkiFiles';
import { PkiError } from './pkiError';

export interface CertificateAuthorityOptions {
  /** The broker's DNS names: the default for `issueServerCertificate`. */
  dnsNames?: string[];
  /** The clock for everything issued (tests issue expired certificates with it). */
  now?: () => number;
}

/** The broker's TLS identity: what `tls.createServer` takes, and the names it covers. */
export interface ServerCertificate extends ServerNames {
  /** Leaf and issuing CA, so clients that trust only the root can build the chain. */
  chainPem: string;
  keyPem: string;
  notAfter: Date;
  /** True when this call wrote a new certificate. */
  reissued: boolean;
}

/** An agent certificate as signed, with what the broker records about it. */
export interface IssuedAgentCertificate {
  /** Leaf and issuing CA, PEM. */
  chainPem: string;
  /** Hex, lower case, no leading zeros (see normaliseSerial). */
  serial: string;
  notBefore: number;
  notAfter: number;
  /** The pin of the root it chains to. */
  caPin: string;
}

/** One root with its issuing CA. */
interface Generation {
  root: Certificate;
  issuing: Issuer;
}

/** Serial numbers as hex, lower case, without leading zeros: Node and @peculiar/x509 print them differently. */
export function normaliseSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * The broker's two-level CA under `<data>/pki/`: an offline-capable root
 * (its key is needed only to make a new issuing CA) and an online issuing
 * CA that signs the server certificate and agents' client certificates.
 *
 * During a rotation (see caRotation.ts) a previous generation lives in
 * `<data>/pki/previous/`: both are trusted, agents get certificates from the
 * new one, and the server certificate still comes from the previous one so
 * agents that have not renewed yet (and trust only the previous root) can
 * still connect. Retiring the previous generation ends both.
 */
export class CertificateAuthority {
  private constructor(
    readonly dir: string,
    private readonly current: Generation,
    private readonly previous: Generation | undefined,
    private readonly dnsNames: string[],
    private readonly now: () => number,
  ) {}

  private get root(): Certificate {
    return this.current.root;
  }

  private get issuing(): Issuer {
    return this.current.issuing;
  }

  /** Signs server certificates: the previous generation while a rotation is under way. */
  private get serving(): Issuer {
    return (this.previous ?? this.current).issuing;
  }

  /** Loads the CA from `<data>/pki/`, creating it on first use. Safe when two processes race. */
  static async loadOrCreate(dataDir: string, options: CertificateAuthorityOptions = {}): Promise<CertificateAuthority> {
    const dir = pkiDir(dataDir);
    if (!existsSync(pkiPath(dir, 'rootCert'))) await createCa(dataDir, options.now ?? Date.now);
    return CertificateAuthority.load(dataDir, options);
  }

  /** Loads an existing CA; NOT_INITIALISED when there is none. */
  static async load(dataDir: string, options: CertificateAuthorityOptions = {}): Promise<CertificateAuthority> {
    const dir = pkiDir(dataDir);
    if (readPkiFile(dir, 'rootCert') === null) {
      throw new PkiError(
        'NOT_INITIALISED',
        `no CA in ${dir} yet; create it with: fleetterm-broker init --data ${dataDir}`,
      );
    }
    const current = await loadGeneration(dir);
    const previousDir = previousPkiDir(dataDir);
    const previous = existsSync(pkiPath(previousDir, 'rootCert')) ? await loadGeneration(previousDir) : undefined;
    return new CertificateAuthority(dir, current, previous, options.dnsNames ?? [], options.now ?? Date.now);
  }

  /** Whether a rotation is under way (a previous generation is still trusted). */
  get rotating(): boolean {
    return this.previous !== undefined;
  }

  /** The roots peers should trust, current first: what `GET /api/v1/ca` and renewals hand out. */
  trustedRoots(): Certificate[] {
    return this.previous ? [this.current.root, this.previous.root] : [this.current.root];
  }

  /** Every trusted root and issuing CA in PEM: what the agent listener checks client certificates against. */
  clientCaBundle(): string {
    return [this.current, ...(this.previous ? [this.previous] : [])]
      .map((generation) => certificateToPem(generation.issuing.cert) + certificateToPem(generation.root))
      .join('');
  }

  /** The root's SPKI pin (`sha256/…`), what `fleetterm-agent enroll --ca-pin` checks. */
  caPin(): string {
    return spkiPin(this.root);
  }

  /** The root certificate's SHA-256 fingerprint, for people to compare. */
  rootFingerprint(): string {
    return certificateFingerprint(this.root);
  }

  rootCertificate(): Certificate {
    return this.root;
  }

  path(file: PkiFile): string {
    return pkiPath(this.dir, file);
  }

  /**
   * The server certificate for these names (plus `localhost`, 127.0.0.1 and
   * ::1): the stored one while it still fits, else a new key and certificate.
   * It is replaced when missing, expiring within 30 days, issued by another
   * CA, or naming other hosts.
   */
  async issueServerCertificate(
    dnsNames: readonly string[] = this.dnsNames,
    ipAddresses: readonly string[] = [],
  ): Promise<ServerCertificate> {
    const wanted = serverNames(dnsNames, ipAddresses);
    const current = await this.readServerCertificate();
    if (
      current &&
      sameNames(current, wanted) &&
      current.notAfter.getTime() - this.now() > SERVER_CERT_RENEW_BEFORE_MS
    ) {
      return current;
    }
    const keys = await generateKeyPair();
    const cert = await createServerCertificate(this.serving, keys.publicKey, wanted, {
      now: this.now(),
      validityMs: SERVER_CERT_VALIDITY_MS,
    });
    const keyPem = await exportPrivateKeyPem(keys.privateKey);
    // Key first: a reader that sees the new certificate also finds its key (and one that does not, reissues).
    writeFileAtomic(this.path('serverKey'), keyPem, KEY_MODE);
    writeFileAtomic(this.path('serverCert'), certificateToPem(cert), CERT_MODE);
    return { ...wanted, chainPem: chain(cert, this.serving), keyPem, notAfter: cert.notAfter, reissued: true };
  }

  /**
   * The names the stored server certificate covers, whoever issued it: what
   * to keep when a command or `serve` is not given names of its own.
   */
  storedServerNames(): ServerNames | null {
    const certPem = readPkiFile(this.dir, 'serverCert');
    if (certPem === null) return null;
    try {
      const sans = certificateSans(parseCertificatePem(certPem));
      return { dnsNames: sans.dnsNames, ipAddresses: sans.ipAddresses.map(normaliseIpAddress) };
    } catch {
      return null;
    }
  }

  /** The stored server certificate if it is usable (present, matching its key, from this CA), else null. */
  async readServerCertificate(): Promise<ServerCertificate | null> {
    const certPem = readPkiFile(this.dir, 'serverCert');
    const keyPem = readPkiFile(this.dir, 'serverKey');
    if (certPem === null || keyPem === null) return null;
    try {
      const cert = parseCertificatePem(certPem);
      const keys = await importKeyPairPem(keyPem);
      if (
        spkiPin(keys.publicKey) !== spkiPin(cert) ||
        !(await cert.verify({ publicKey: this.serving.cert, signatureOnly: true }))
      ) {
        return null;
      }
      const sans = certificateSans(cert);
      return {
        dnsNames: sans.dnsNames,
        ipAddresses: sans.ipAddresses.map(normaliseIpAddress),
        chainPem: chain(cert, this.serving),
        keyPem,
        notAfter: cert.notAfter,
        reissued: false,
      };
    } catch {
      return null; // unreadable: the caller issues a fresh one
    }
  }

  /**
   * Signs an agent's CSR. Only the CSR's public key is used: its subject and
   * every extension it requests are ignored, and the certificate is always
   * client-only, naming `machineId`, from the current generation.
   */
  async signAgentCsr(
    csrPem: string,
    machineId: string,
    validityMs = AGENT_CERT_VALIDITY_MS,
  ): Promise<IssuedAgentCertificate> {
    checkMachineId(machineId);
    if (!(validityMs > 0)) throw new RangeError(`validityMs must be positive, got ${validityMs}`);
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (error) {
      throw new PkiError(
        'BAD_CSR',
        `not a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----): ${String(error)}; ` +
          'send the CSR fleetterm-agent generated, unchanged',
        { cause: error },
      );
    }
    const algorithm = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
    if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') {
      throw new PkiError('BAD_CSR', 'the CSR key is not ECDSA P-256; generate an ECDSA P-256 key pair and a new CSR');
    }
    const signed = await csr.verify().catch(() => false);
    if (!signed) {
      throw new PkiError(
        'BAD_CSR_SIGNATURE',
        'the CSR signature does not match its public key (it was altered or signed with another key); generate a new CSR',
      );
    }
    const cert = await createAgentCertificate(this.issuing, csr.publicKey, machineId, { now: this.now(), validityMs });
    return {
      chainPem: chain(cert, this.issuing),
      serial: normaliseSerial(cert.serialNumber),
      notBefore: cert.notBefore.getTime(),
      notAfter: cert.notAfter.getTime(),
      caPin: this.caPin(),
    };
  }
}

function chain(leaf: Certificate, issuer: Issuer): string {
  return certificateToPem(leaf) + certificateToPem(issuer.cert);
}

/** Reads and cross-checks one generation (root, issuing certificate and key) in `dir`. */
async function loadGeneration(dir: string): Promise<Generation> {
  const required = (file: PkiFile) => {
    const text = readPkiFile(dir, file);
    if (text !== null) return text;
    throw new PkiError('BAD_PKI_FILES', `${pkiPath(dir, file)} is missing; restore it from a backup`);
  };
  let root: Certificate;
  let issuing: Issuer;
  try {
    root = parseCertificatePem(required('rootCert'));
    issuing = {
      cert: parseCertificatePem(required('issuingCert')),
      keys: await importKeyPairPem(required('issuingKey')),
    };
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError('BAD_PKI_FILES', `the CA files in ${dir} cannot be read (${String(error)}); restore them`, {
      cause: error,
    });
  }
  if (
    spkiPin(issuing.keys.publicKey) !== spkiPin(issuing.cert) ||
    !(await issuing.cert.verify({ publicKey: root, signatureOnly: true }))
  ) {
    throw new PkiError(
      'BAD_PKI_FILES',
      `issuing.crt in ${dir} does not belong to issuing.key and root.crt; restore them`,
    );
  }
  return { root, issuing };
}

/**
 * Makes root and issuing CA in a scratch directory and renames it into
 * place, so a concurrent process sees either no CA or a whole one; the
 * loser of a race discards its own and loads the winner's.
 */
async function createCa(dataDir: string, now: () => number): Promise<void> {
  const dir = pkiDir(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new PkiError('BAD_PKI_FILES', `${dir} holds files but no root.crt; restore root.crt or move the folder away`);
  }
  const scratch = await writeGeneration(`${dir}.${randomBytes(4).toString('hex')}.tmp`, now);
  try {
    if (existsSync(dir)) rmdirSync(dir); // empty (checked above)
    renameSync(scratch, dir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    if (existsSync(pkiPath(dir, 'rootCert'))) return; // another process won the race
    throw error;
  }
}

/** The files of one generation, keys before the certificates that name them. */
export const GENERATION_FILES: readonly PkiFile[] = ['rootKey', 'issuingKey', 'issuingCert', 'rootCert'];

/** Makes a new root and issuing CA in a new private directory `dir` and returns it. */
export async function writeGeneration(dir: string, now: () => number): Promise<string> {
  const id = randomBytes(4).toString('hex');
  const rootKeys = await generateKeyPair();
  const root = await createRootCa(rootKeys, `Fleetterm Root CA ${id}`, { now: now(), validityMs: ROOT_CA_VALIDITY_MS });
  const issuingKeys = await generateKeyPair();
  const issuing = await createIssuingCa({ cert: root, keys: rootKeys }, issuingKeys, `Fleetterm Issuing CA ${id}`, {
    now: now(),
    validityMs: ISSUING_CA_VALIDITY_MS,
  });
  makePrivateDir(dir);
  try {
    const write = async (certFile: PkiFile, cert: Certificate, keyFile: PkiFile, keys: KeyPair) => {
      writeFileAtomic(pkiPath(dir, keyFile), await exportPrivateKeyPem(keys.privateKey), KEY_MODE);
      writeFileAtomic(pkiPath(dir, certFile), certificateToPem(cert), CERT_MODE);
    };
    await write('rootCert', root, 'rootKey', rootKeys);
    await write('issuingCert', issuing, 'issuingKey', issuingKeys);
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
