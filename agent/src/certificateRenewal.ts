import type { Logger } from 'pino';
import { Backoff } from '../../common/backoff';
import type { ErrorCode, Renewed } from '../../common/protocol';
import type { KeyPair } from '../../node-common/pki';
import { certificatePeriod, writeIdentity, type AgentIdentity } from './identity';

/** Renew once this share of the certificate's lifetime has passed (the issue asks for two thirds). */
const RENEW_AT_SHARE = 2 / 3;
/** A refused or failed renewal is asked for again after a backoff from this to an hour, until the certificate ends. */
const RETRY_BASE_MS = 60_000;
const RETRY_CAP_MS = 60 * 60_000;
/** Timers longer than this overflow Node's 32-bit delay: long waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The X.509 library behind CSRs and pins is about a third of the agent's
 * code and is needed only every few days: loaded at the first renewal, not
 * held by an agent before it (docs/BENCHMARKS.md, History).
 */
const loadPki = () => import('../../node-common/pki');

export interface RenewalLink {
  requestRenewal(csr: string): boolean;
}

export interface CertificateRenewalOptions {
  stateDir: string;
  identity: AgentIdentity;
  link: RenewalLink;
  log: Logger;
  /** The certificate ended without a renewal: the agent cannot connect any more. */
  onExpired: (message: string) => void;
  now?: () => number;
  /** Retry timing; tests shorten it. */
  retryBaseMs?: number;
}

/**
 * Keeps the agent's certificate fresh: at two thirds of its lifetime it
 * makes a new key pair, asks the broker over the open link to sign it, and
 * stores key and certificate. The link stays up (sessions go on); the new
 * certificate is presented from the next connection. The key changes with
 * each renewal, so a key copied off the machine ages out with its certificate.
 */
export class CertificateRenewal {
  private current: AgentIdentity;
  /** The key of the renewal asked for and not answered yet. */
  private pending: KeyPair | undefined;
  /** No renewal is asked for before this (after a refusal or failure). */
  private retryAt = 0;
  /** A key pair and CSR are being made. */
  private asking = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly retry: Backoff;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: CertificateRenewalOptions) {
    this.current = options.identity;
    this.now = options.now ?? Date.now;
    const base = options.retryBaseMs ?? RETRY_BASE_MS;
    this.retry = new Backoff({ baseMs: base, capMs: Math.max(base, RETRY_CAP_MS) });
  }

  /** Starts watching the certificate's age (an expired one is reported at once). */
  start(): void {
    this.tick();
  }

  /** The identity to connect with: the newest stored one. */
  get identity(): AgentIdentity {
    return this.current;
  }

  /** The link is up: a renewal that fell due while it was down (or whose answer the drop lost) is asked for now. */
  onConnected(): void {
    this.pending = undefined;
    this.tick();
  }

  async onRenewed(renewed: Renewed): Promise<void> {
    const keys = this.pending;
    if (!keys) return void this.options.log.warn('a renewed certificate arrived that was not asked for; ignored');
    this.pending = undefined;
    let identity: AgentIdentity;
    try {
      const { exportPrivateKeyPem, spkiPin } = await loadPki();
      if (spkiPin(renewed.certificate) !== spkiPin(keys.publicKey)) throw new Error('it is for another key');
      identity = {
        ...this.current,
        keyPem: await exportPrivateKeyPem(keys.privateKey),
        certificatePem: renewed.certificate,
        caRoots: renewed.caRoots,
      };
      certificatePeriod(identity);
      await writeIdentity(this.options.stateDir, identity);
    } catch (error) {
      this.options.log.error({ err: (error as Error).message }, 'cannot use the renewed certificate; retrying later');
      return this.retryLater();
    }
    this.current = identity;
    this.retry.reset();
    this.retryAt = 0;
    const { notAfter } = certificatePeriod(identity);
    this.options.log.info({ notAfter: new Date(notAfter).toISOString() }, 'certificate renewed');
    this.tick();
  }

  onRefused(code: ErrorCode, message: string): void {
    this.pending = undefined;
    this.options.log.warn({ code, detail: message }, 'certificate renewal refused');
    this.retryLater();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Acts on what is due now (expiry, renewal) and sets the timer for the next thing. */
  private tick(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const now = this.now();
    const { notBefore, notAfter } = certificatePeriod(this.current);
    if (now >= notAfter) {
      return this.options.onExpired(
        `the certificate expired at ${new Date(notAfter).toISOString()} without a renewal ` +
          '(the broker was unreachable or refused it); enrol this machine again with a new enrolment token',
      );
    }
    const renewAt = Math.max(notBefore + (notAfter - notBefore) * RENEW_AT_SHARE, this.retryAt);
    if (now >= renewAt && !this.pending) void this.ask();
    const next = now < renewAt ? Math.min(renewAt, notAfter) : notAfter;
    this.timer = setTimeout(() => this.tick(), Math.min(Math.max(0, next - now), MAX_TIMER_MS));
    this.timer.unref();
  }

  private async ask(): Promise<void> {
    if (this.asking) return;
    this.asking = true;
    try {
      const { createCsr, generateKeyPair } = await loadPki();
      const keys = await generateKeyPair();
      const csr = await createCsr(keys, this.current.machine.name);
      if (this.stopped || this.pending) return;
      if (!this.options.link.requestRenewal(csr)) return; // the link is down: asked again at the next welcome
      this.pending = keys;
      this.options.log.info('renewing the certificate');
    } finally {
      this.asking = false;
    }
  }

  private retryLater(): void {
    this.retryAt = this.now() + this.retry.next();
    this.tick();
  }
}
