const LF = 0x0a;
const CR = 0x0d;

/**
 * Turns a PTY's `\r\n` line ends into `\n` in a byte stream that arrives in
 * chunks: a `\r` at the end of a chunk is held until the next one shows
 * whether a `\n` follows. Other `\r` (progress bars) are kept.
 */
export class CrlfNormalizer {
  private heldCr = false;

  push(bytes: Uint8Array): Uint8Array {
    const out = new Uint8Array(bytes.byteLength + 1);
    let n = 0;
    let i = 0;
    if (this.heldCr) {
      this.heldCr = false;
      if (bytes[0] !== LF) out[n++] = CR;
    }
    for (; i < bytes.byteLength; i++) {
      const byte = bytes[i]!;
      if (byte === CR) {
        if (i === bytes.byteLength - 1) {
          this.heldCr = true;
          continue;
        }
        if (bytes[i + 1] === LF) continue;
      }
      out[n++] = byte;
    }
    return out.subarray(0, n);
  }

  flush(): Uint8Array {
    if (!this.heldCr) return new Uint8Array(0);
    this.heldCr = false;
    return new Uint8Array([CR]);
  }
}
