import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { certificateFingerprint, certificateToPem, spkiPin } from '../../../node-common/pki';
import { CertificateAuthority, type ServerCertificate } from '../pki/certificateAuthority';

export interface BrokerTlsOptions {
  dataDir: string;
  /** Names the broker's own server certificate covers besides localhost, 127.0.0.1 and ::1. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** An operator's own certificate chain and key (PEM files) for the console listener. */
  consoleCertFile?: string;
  consoleKeyFile?: string;
  /** The clock for everything issued (tests issue short-lived certificates with it). */
  now?: () => number;
}

/** A CA root as `GET /api/v1/ca` and renewals describe it. */
export interface CaRoot {
  pem: string;
  pin: string;
  fingerprint: string;
}

/** The console listener's certificate and key when an operator brings their own. */
interface OwnCertificate {
  cert: string;
  key: string;
}

/**
 * The broker's TLS material: its CA (which signs agent certificates), the
 * server certificate both listeners present (or the operator's own for the
 * console listener) and the bundle agent certificates are checked against.
 * `refresh()` picks up a rotation made by the CLI and reissues the server
 * certificate before it expires; the listeners then take the new contexts.
 */
export class BrokerTls {
  private constructor(
    private readonly options: BrokerTlsOptions,
    private authority: CertificateAuthority,
    private server: ServerCertificate,
    private readonly own: OwnCertificate | undefined,
  ) {}

  static async load(options: BrokerTlsOptions): Promise<BrokerTls> {
    const own = readOwnCertificate(options);
    const authority = await CertificateAuthority.loadOrCreate(options.dataDir, { now: options.now });
    return new BrokerTls(options, authority, await issueServerCertificate(authority, options), own);
  }

  get ca(): CertificateAuthority {
    return this.authority;
  }

  /** The names the broker's own server certificate covers. */
  get serverNames(): string[] {
    return [...this.server.dnsNames, ...this.server.ipAddresses];
  }

  /** Whether the console listener presents an operator's own certificate. */
  get ownConsoleCertificate(): boolean {
    return this.own !== undefined;
  }

  consoleContext(): SecureContextOptions {
    return this.own ?? { cert: this.server.chainPem, key: this.server.keyPem };
  }

  /** The agent listener: the broker's own certificate, and agent certificates checked against every trusted CA. */
  agentContext(): SecureContextOptions {
    return { cert: this.server.chainPem, key: this.server.keyPem, ca: this.authority.clientCaBundle() };
  }

  trustedRoots(): CaRoot[] {
    return this.authority.trustedRoots().map((root) => ({
      pem: certificateToPem(root),
      pin: spkiPin(root),
      fingerprint: certificateFingerprint(root),
    }));
  }

  /**
   * Reloads the CA from disk (a rotation or retirement by the CLI) and
   * reissues the server certificate when it expires soon or its CA changed.
   * Returns whether the contexts changed.
   */
  async refresh(): Promise<boolean> {
    const authority = await CertificateAuthority.load(this.options.dataDir, { now: this.options.now });
    const server = await issueServerCertificate(authority, this.options);
    const changed =
      authority.clientCaBundle() !== this.authority.clientCaBundle() || server.chainPem !== this.server.chainPem;
    this.authority = authority;
    this.server = server;
    return changed;
  }
}

/** For the names given, else the ones the stored certificate has (set by `init`). */
function issueServerCertificate(
  authority: CertificateAuthority,
  options: BrokerTlsOptions,
): Promise<ServerCertificate> {
  const { dnsNames = [], ipAddresses = [] } = options;
  const names =
    dnsNames.length > 0 || ipAddresses.length > 0 ? { dnsNames, ipAddresses } : authority.storedServerNames();
  return authority.issueServerCertificate(names?.dnsNames ?? [], names?.ipAddresses ?? []);
}

function readOwnCertificate(options: BrokerTlsOptions): OwnCertificate | undefined {
  const { consoleCertFile: certFile, consoleKeyFile: keyFile } = options;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('--tls-cert and --tls-key go together: pass both, or neither');
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
        cause: error,
      });
    }
  };
  return { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
}
