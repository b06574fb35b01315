// PEM and pin text helpers with no X.509 library behind them, so the CLI can
// use them without bundling @peculiar/x509.

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM blocks of a chain or bundle, in order, each ending with a newline. */
export function splitPemChain(pem: string): string[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => `${block}\n`);
}

/** Whether a string looks like a pin (`sha256/` and 44 base64 characters, as RFC 7469 pins look). */
export function isSpkiPin(text: string): boolean {
  return /^sha256\/[A-Za-z0-9+/]{43}=$/.test(text);
}
