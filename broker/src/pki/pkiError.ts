/** Why a PKI operation failed; stable, so callers (the enrolment endpoint, the CLI) can map them. */
export type PkiErrorCode =
  | 'BAD_CSR' // not a PKCS#10 request, or a key type we do not issue for
  | 'BAD_CSR_SIGNATURE' // the request is not signed by the key it carries
  | 'BAD_NAME' // a machine id, DNS name or IP address we refuse to put in a certificate
  | 'NOT_INITIALISED' // no CA in the data directory yet
  | 'BAD_PKI_FILES' // the CA files exist but cannot be used
  | 'ROTATION_IN_PROGRESS' // `ca rotate` while a previous CA is still trusted
  | 'NOT_ROTATING'; // `ca retire` without a previous CA

/** A PKI failure with a code and a message that says what to do. */
export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    readonly code: PkiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
