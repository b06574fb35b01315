import { err, ok, type Result } from '../result';
import { MAX_BROADCAST_TARGETS, MAX_DATA_PAYLOAD_BYTES } from './limits';

/**
 * Binary data frames carry terminal bytes; they are never JSON or base64.
 *
 *   offset size field
 *   0      1    kind     1 output (agent → console), 2 input (console → agent),
 *                       3 broadcast input (console → broker)
 *   1      1    flags    reserved, must be 0
 *   2      4    channel  u32 big-endian; 0 in broadcast frames
 *   6      8    offset   u64 big-endian, < 2^53: for output, the position of
 *                       the payload's first byte in the session's output
 *                       stream; for input, the console's count of input
 *                       sent before it (informational: the agent counts
 *                       what it receives; 0 in input fanned out from a broadcast)
 *   14     …    payload  (for broadcast: u16 count, count × u32 channels, then payload)
 *
 * Decoding returns views into the received bytes (no copy), and the broker
 * relays a frame by rewriting its channel field in place.
 */
export const FrameKind = { OUTPUT: 1, INPUT: 2, BROADCAST: 3 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export const DATA_HEADER_BYTES = 14;
const CHANNEL_AT = 2;
const OFFSET_AT = 6;
const TWO_32 = 2 ** 32;

export interface DataFrame {
  type: 'output' | 'input';
  channel: number;
  offset: number;
  payload: Uint8Array;
}

export interface BroadcastFrame {
  type: 'broadcast';
  channels: number[];
  payload: Uint8Array;
}

export type BinaryFrame = DataFrame | BroadcastFrame;

export interface FrameError {
  code: 'BAD_FRAME' | 'FRAME_TOO_LARGE';
  message: string;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function writeHeader(out: Uint8Array, kind: FrameKind, channel: number, offset: number): void {
  const dv = view(out);
  dv.setUint8(0, kind);
  dv.setUint8(1, 0);
  dv.setUint32(CHANNEL_AT, channel);
  dv.setUint32(OFFSET_AT, Math.floor(offset / TWO_32));
  dv.setUint32(OFFSET_AT + 4, offset % TWO_32);
}

function isChannel(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n < TWO_32;
}

/** Encodes an output or input frame: one allocation, one copy of the payload. */
export function encodeDataFrame(frame: DataFrame): Uint8Array {
  if (!isChannel(frame.channel)) throw new RangeError(`channel ${frame.channel} is not a u32 above 0`);
  if (!Number.isSafeInteger(frame.offset) || frame.offset < 0)
    throw new RangeError(`offset ${frame.offset} is not a safe u64`);
  const out = new Uint8Array(DATA_HEADER_BYTES + frame.payload.byteLength);
  writeHeader(out, frame.type === 'output' ? FrameKind.OUTPUT : FrameKind.INPUT, frame.channel, frame.offset);
  out.set(frame.payload, DATA_HEADER_BYTES);
  return out;
}

/** Encodes one input frame addressed to several channels of the same link. */
export function encodeBroadcastFrame(frame: BroadcastFrame): Uint8Array {
  const { channels } = frame;
  if (channels.length === 0 || channels.length > MAX_BROADCAST_TARGETS) {
    throw new RangeError(`a broadcast names 1 to ${MAX_BROADCAST_TARGETS} channels, not ${channels.length}`);
  }
  const listAt = DATA_HEADER_BYTES + 2;
  const payloadAt = listAt + 4 * channels.length;
  const out = new Uint8Array(payloadAt + frame.payload.byteLength);
  writeHeader(out, FrameKind.BROADCAST, 0, 0);
  const dv = view(out);
  dv.setUint16(DATA_HEADER_BYTES, channels.length);
  channels.forEach((channel, i) => {
    if (!isChannel(channel)) throw new RangeError(`channel ${channel} is not a u32 above 0`);
    dv.setUint32(listAt + 4 * i, channel);
  });
  out.set(frame.payload, payloadAt);
  return out;
}

/** Decodes any binary frame. Never throws: bad bytes give a FrameError. */
export function decodeBinaryFrame(bytes: Uint8Array): Result<BinaryFrame, FrameError> {
  if (bytes.byteLength < DATA_HEADER_BYTES) {
    return err({
      code: 'BAD_FRAME',
      message: `a data frame has at least ${DATA_HEADER_BYTES} bytes, this one ${bytes.byteLength}`,
    });
  }
  const dv = view(bytes);
  const kind = dv.getUint8(0);
  const flags = dv.getUint8(1);
  if (flags !== 0) return err({ code: 'BAD_FRAME', message: `reserved flags must be 0, not ${flags}` });
  const channel = dv.getUint32(CHANNEL_AT);
  const high = dv.getUint32(OFFSET_AT);
  const offset = high * TWO_32 + dv.getUint32(OFFSET_AT + 4);
  if (high >= 2 ** 21) return err({ code: 'BAD_FRAME', message: 'offset is larger than 2^53' });

  if (kind === FrameKind.OUTPUT || kind === FrameKind.INPUT) {
    if (channel === 0) return err({ code: 'BAD_FRAME', message: 'channel 0 is reserved' });
    const payload = bytes.subarray(DATA_HEADER_BYTES);
    if (payload.byteLength > MAX_DATA_PAYLOAD_BYTES) {
      return err({
        code: 'FRAME_TOO_LARGE',
        message: `payload of ${payload.byteLength} bytes exceeds ${MAX_DATA_PAYLOAD_BYTES}`,
      });
    }
    return ok({ type: kind === FrameKind.OUTPUT ? 'output' : 'input', channel, offset, payload });
  }

  if (kind === FrameKind.BROADCAST) {
    if (channel !== 0 || offset !== 0)
      return err({ code: 'BAD_FRAME', message: 'a broadcast frame has channel 0 and offset 0' });
    if (bytes.byteLength < DATA_HEADER_BYTES + 2)
      return err({ code: 'BAD_FRAME', message: 'a broadcast frame is missing its channel count' });
    const count = dv.getUint16(DATA_HEADER_BYTES);
    if (count === 0 || count > MAX_BROADCAST_TARGETS) {
      return err({
        code: 'BAD_FRAME',
        message: `a broadcast names 1 to ${MAX_BROADCAST_TARGETS} channels, not ${count}`,
      });
    }
    const listAt = DATA_HEADER_BYTES + 2;
    const payloadAt = listAt + 4 * count;
    if (bytes.byteLength < payloadAt)
      return err({ code: 'BAD_FRAME', message: `a broadcast frame is shorter than its ${count} channel ids` });
    const channels: number[] = [];
    for (let i = 0; i < count; i++) {
      const target = dv.getUint32(listAt + 4 * i);
      if (target === 0) return err({ code: 'BAD_FRAME', message: 'channel 0 is reserved' });
      channels.push(target);
    }
    const payload = bytes.subarray(payloadAt);
    if (payload.byteLength > MAX_DATA_PAYLOAD_BYTES) {
      return err({
        code: 'FRAME_TOO_LARGE',
        message: `payload of ${payload.byteLength} bytes exceeds ${MAX_DATA_PAYLOAD_BYTES}`,
      });
    }
    return ok({ type: 'broadcast', channels: [...new Set(channels)], payload });
  }

  return err({ code: 'BAD_FRAME', message: `unknown frame kind ${kind}` });
}

/** Rewrites the channel of an encoded output or input frame in place; this is
 *  how the broker relays without copying the payload. */
export function rewriteChannel(frame: Uint8Array, channel: number): void {
  view(frame).setUint32(CHANNEL_AT, channel);
}
