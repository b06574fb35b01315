import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DATA_HEADER_BYTES,
  decodeBinaryFrame,
  encodeBroadcastFrame,
  encodeDataFrame,
  rewriteChannel,
  type DataFrame,
} from './dataFrame';
import { MAX_BROADCAST_TARGETS, MAX_DATA_PAYLOAD_BYTES } from './limits';

const channel = fc.integer({ min: 1, max: 0xffff_ffff });
const offset = fc.maxSafeNat();
const payload = fc.uint8Array({ maxLength: 4096 });

describe('data frames', () => {
  it('round-trip output and input frames', () => {
    fc.assert(
      fc.property(fc.constantFrom('output', 'input'), channel, offset, payload, (type, ch, off, bytes) => {
        const frame: DataFrame = { type: type as DataFrame['type'], channel: ch, offset: off, payload: bytes };
        const decoded = decodeBinaryFrame(encodeDataFrame(frame));
        expect(decoded).toEqual({ ok: true, value: frame });
      }),
    );
  });

  it('round-trip broadcast frames, without duplicate targets', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(channel, { minLength: 1, maxLength: MAX_BROADCAST_TARGETS }),
        payload,
        (channels, bytes) => {
          const decoded = decodeBinaryFrame(encodeBroadcastFrame({ type: 'broadcast', channels, payload: bytes }));
          expect(decoded).toEqual({ ok: true, value: { type: 'broadcast', channels, payload: bytes } });
        },
      ),
    );
  });

  it('never throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const decoded = decodeBinaryFrame(bytes);
        if (!decoded.ok) expect(['BAD_FRAME', 'FRAME_TOO_LARGE']).toContain(decoded.error.code);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throw on arbitrary bytes behind a valid kind byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ maxLength: 64 }), (kind, rest) => {
        const bytes = new Uint8Array([kind, 0, ...rest]);
        expect(() => decodeBinaryFrame(bytes)).not.toThrow();
      }),
      { numRuns: 5000 },
    );
  });

  it('decode payloads as views, without copying', () => {
    const encoded = encodeDataFrame({ type: 'output', channel: 7, offset: 42, payload: new Uint8Array([1, 2, 3]) });
    const decoded = decodeBinaryFrame(encoded);
    expect(decoded.ok && decoded.value.payload.buffer).toBe(encoded.buffer);
  });

  it('rewrite the channel in place and keep the payload', () => {
    const encoded = encodeDataFrame({
      type: 'input',
      channel: 7,
      offset: 0,
      payload: new TextEncoder().encode('ls\r'),
    });
    rewriteChannel(encoded, 99);
    expect(decodeBinaryFrame(encoded)).toMatchObject({ ok: true, value: { channel: 99, type: 'input' } });
  });

  it('refuse reserved channel 0, nonzero flags, unknown kinds and short frames with reasons', () => {
    const good = encodeDataFrame({ type: 'output', channel: 1, offset: 0, payload: new Uint8Array(1) });
    const zeroChannel = good.slice();
    rewriteChannel(zeroChannel, 0);
    const flagged = good.slice();
    flagged[1] = 1;
    const unknownKind = good.slice();
    unknownKind[0] = 9;
    for (const [bytes, text] of [
      [zeroChannel, 'channel 0'],
      [flagged, 'flags'],
      [unknownKind, 'unknown frame kind 9'],
      [good.subarray(0, DATA_HEADER_BYTES - 1), 'at least'],
    ] as const) {
      const decoded = decodeBinaryFrame(bytes);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error.message).toContain(text);
    }
  });

  it('refuse payloads over the limit as FRAME_TOO_LARGE', () => {
    const big = encodeDataFrame({
      type: 'input',
      channel: 1,
      offset: 0,
      payload: new Uint8Array(MAX_DATA_PAYLOAD_BYTES + 1),
    });
    expect(decodeBinaryFrame(big)).toMatchObject({ ok: false, error: { code: 'FRAME_TOO_LARGE' } });
  });

  it('refuse a broadcast whose channel list is cut short', () => {
    const frame = encodeBroadcastFrame({ type: 'broadcast', channels: [1, 2, 3], payload: new Uint8Array() });
    expect(decodeBinaryFrame(frame.subarray(0, frame.length - 2))).toMatchObject({
      ok: false,
      error: { code: 'BAD_FRAME' },
    });
  });
});
