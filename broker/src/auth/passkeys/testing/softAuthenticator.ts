import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software authenticator and client for tests without a browser: it plays both the browser (clientDataJSON,
 * origin) and a platform authenticator holding ES256 keys. Every field a server must check has a knob to
 * break it. Not for production: keys live in memory and user verification is a flag.
 */

/** Authenticator data flags (WebAuthn §6.1). */
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

/** COSE (RFC 9053): EC2 key type, ES256, curve P-256. */
const COSE_KTY_EC2 = 2;
const COSE_ALG_ES256 = -7;
const COSE_CRV_P256 = 1;

export interface SoftCredential {
  /** base64url */
  id: string;
  rpId: string;
  /** base64url user handle from the registration options. */
  userHandle: string;
  privateKey: KeyObject;
  /** The next signature counts from here; stays 0 forever when `countStep` is 0. */
  counter: number;
  countStep: number;
}

/** What the simulated browser and authenticator put in a response, each breakable. */
export interface CeremonyKnobs {
  /** The page's origin in clientDataJSON (default: the authenticator's origin). */
  origin?: string;
  /** The RP ID whose hash goes into authenticatorData (default: the options' RP ID). */
  rpId?: string;
  /** clientDataJSON.type (default `webauthn.create` / `webauthn.get`). */
  type?: string;
  /** The challenge in clientDataJSON (default: the options'). */
  challenge?: string;
  /** User verified (default true). */
  uv?: boolean;
  /** User present (default true). */
  up?: boolean;
  /** The signature counter to report instead of the next one. */
  counter?: number;
}

export interface RegisterKnobs extends CeremonyKnobs {
  /** Counter increment per use; 0 makes a non-counting authenticator like most synced passkeys (default 1). */
  countStep?: number;
  /** Reported as backup eligible and backed up. */
  backedUp?: boolean;
  /** credProps.rk in the client extension results (default true: a discoverable credential). */
  discoverable?: boolean;
}

export interface AssertKnobs extends CeremonyKnobs {
  /** Answer with this credential, whatever the options allow. */
  credentialId?: string;
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

function clientDataJSON(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new Error('softAuthenticator: expected an EC public key');
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, COSE_KTY_EC2],
      [3, COSE_ALG_ES256],
      [-1, COSE_CRV_P256],
      [-2, Buffer.from(jwk.x, 'base64url')],
      [-3, Buffer.from(jwk.y, 'base64url')],
    ]),
  );
}

function flags(knobs: CeremonyKnobs, extra: number): number {
  return (knobs.up === false ? 0 : FLAG_UP) | (knobs.uv === false ? 0 : FLAG_UV) | extra;
}

export class SoftAuthenticator {
  readonly credentials = new Map<string, SoftCredential>();
  private readonly backedUp = new Set<string>();

  /** @param origin the page the simulated browser is on, e.g. http://localhost:7420 */
  constructor(readonly origin: string) {}

  /** navigator.credentials.create(): makes a key pair and answers with attestation format "none". */
  register(options: PublicKeyCredentialCreationOptionsJSON, knobs: RegisterKnobs = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    for (const excluded of options.excludeCredentials ?? []) {
      if (this.credentials.has(excluded.id)) {
        throw new Error('InvalidStateError: this authenticator already holds a credential the server excluded');
      }
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const idBytes = randomBytes(16);
    const id = b64url(idBytes);
    const countStep = knobs.countStep ?? 1;
    const credential: SoftCredential = { id, rpId, userHandle: options.user.id, privateKey, counter: 0, countStep };
    this.credentials.set(id, credential);
    if (knobs.backedUp) this.backedUp.add(id);

    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(idBytes.length);
    const authData = Buffer.concat([
      sha256(knobs.rpId ?? rpId),
      Buffer.of(flags(knobs, FLAG_AT | (knobs.backedUp ? FLAG_BE | FLAG_BS : 0))),
      uint32(knobs.counter ?? 0),
      Buffer.alloc(16), // AAGUID: all zero, as "none" attestation reports it
      idLength,
      idBytes,
      coseKey(publicKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    const clientData = clientDataJSON(
      knobs.type ?? 'webauthn.create',
      knobs.challenge ?? options.challenge,
      knobs.origin ?? this.origin,
    );
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: { credProps: { rk: knobs.discoverable ?? true } },
    };
  }

  /**
   * navigator.credentials.get(): picks the first held credential the options allow (any for this RP ID
   * when allowCredentials is empty: a discoverable sign-in) and signs authenticatorData || SHA-256(clientDataJSON).
   */
  assert(options: PublicKeyCredentialRequestOptionsJSON, knobs: AssertKnobs = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const credential = this.pick(rpId, options.allowCredentials ?? [], knobs.credentialId);
    credential.counter += credential.countStep;
    const counter = knobs.counter ?? credential.counter;
    const backedUp = this.backedUp.has(credential.id) ? FLAG_BE | FLAG_BS : 0;
    const authData = Buffer.concat([sha256(knobs.rpId ?? rpId), Buffer.of(flags(knobs, backedUp)), uint32(counter)]);
    const clientData = clientDataJSON(
      knobs.type ?? 'webauthn.get',
      knobs.challenge ?? options.challenge,
      knobs.origin ?? this.origin,
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
    };
  }

  private pick(rpId: string, allowed: readonly { id: string }[], wanted: string | undefined): SoftCredential {
    if (wanted !== undefined) {
      const credential = this.credentials.get(wanted);
      if (!credential) throw new Error(`softAuthenticator: no credential ${wanted}`);
      return credential;
    }
    const held = [...this.credentials.values()].filter((credential) => credential.rpId === rpId);
    const usable =
      allowed.length === 0 ? held : held.filter((credential) => allowed.some((a) => a.id === credential.id));
    const credential = usable[0];
    if (!credential) throw new Error(`NotAllowedError: no credential for ${rpId} that the options allow`);
    return credential;
  }
}
