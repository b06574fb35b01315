const LF = 0x0a;
const CR = 0x0d;
const encoder = new TextEncoder();

/** A line longer than this is cut and printed in parts, so one endless line cannot grow memory. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Splits a machine's output into lines and puts `prefix` before each, for
 * `exec`'s interleaved output. Works on bytes: `\n` never occurs inside a
 * multi-byte UTF-8 character, so characters are never cut. A PTY ends lines
 * with `\r\n`; they become `\n`.
 */
export class LinePrefixer {
  private readonly prefix: Uint8Array;
  private partial: Uint8Array[] = [];
  private partialBytes = 0;

  constructor(
    prefix: string,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    this.prefix = encoder.encode(prefix);
  }

  /** Returns the complete lines in `bytes` (with what came before), prefixed; empty when none is complete. */
  push(bytes: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    let start = 0;
    for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, start)) {
      this.partial.push(bytes.subarray(start, at));
      this.partialBytes += at - start;
      out.push(this.takeLine());
      start = at + 1;
    }
    if (start < bytes.byteLength) {
      this.partial.push(bytes.slice(start));
      this.partialBytes += bytes.byteLength - start;
      if (this.partialBytes >= this.maxLineBytes) out.push(this.takeLine());
    }
    return concat(out);
  }

  /** The unterminated rest, as a last line; empty if there is none. */
  flush(): Uint8Array {
    return this.partialBytes > 0 ? this.takeLine() : new Uint8Array(0);
  }

  private takeLine(): Uint8Array {
    let line = concat(this.partial);
    this.partial = [];
    this.partialBytes = 0;
    if (line[line.byteLength - 1] === CR) line = line.subarray(0, line.byteLength - 1);
    const out = new Uint8Array(this.prefix.byteLength + line.byteLength + 1);
    out.set(this.prefix, 0);
    out.set(line, this.prefix.byteLength);
    out[out.byteLength - 1] = LF;
    return out;
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
