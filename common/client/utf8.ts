/** UTF-8 encoding without DOM or Node typings: TextEncoder exists in every host we run on. */
interface Utf8Encoder {
  encode(text: string): Uint8Array;
}

const encoder = new (globalThis as unknown as { TextEncoder: new () => Utf8Encoder }).TextEncoder();

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** Splits bytes into views of at most `size` bytes (no copies). */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  if (bytes.byteLength <= size) return [bytes];
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}
