import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamTail } from './streamTail';

const bytes = (...values: number[]) => Uint8Array.from(values);
const joined = (chunks: Uint8Array[]) => Buffer.concat(chunks);

describe('StreamTail', () => {
  it('counts offsets from 0 and returns everything from an offset', () => {
    const replay = new StreamTail(100);
    replay.append(bytes(1, 2, 3));
    replay.append(bytes(4, 5));
    expect([replay.start, replay.end, replay.size]).toEqual([0, 5, 5]);
    expect([...joined(replay.from(0))]).toEqual([1, 2, 3, 4, 5]);
    expect([...joined(replay.from(2))]).toEqual([3, 4, 5]);
    expect(replay.from(5)).toEqual([]);
    expect(replay.from(9)).toEqual([]);
  });

  it('drops the oldest bytes past its capacity, cutting a chunk when needed', () => {
    const replay = new StreamTail(4);
    replay.append(bytes(1, 2, 3));
    replay.append(bytes(4, 5, 6));
    expect([replay.start, replay.end, replay.size]).toEqual([2, 6, 4]);
    expect([...joined(replay.from(0))]).toEqual([3, 4, 5, 6]);
  });

  it('never drops bytes the consumer has not acknowledged', () => {
    const replay = new StreamTail(4);
    replay.append(bytes(1, 2, 3), 0);
    replay.append(bytes(4, 5, 6), 1);
    expect(replay.start).toBe(1);
    expect(replay.size).toBe(5);
    replay.append(bytes(7), 6);
    expect([replay.start, replay.size]).toEqual([3, 4]);
  });

  it('packs tiny appends (a spinner) into few chunks and returns the exact bytes', () => {
    const replay = new StreamTail(2 * 1024 * 1024);
    const expected = Buffer.alloc(100_000);
    for (let i = 0; i < expected.length; i++) {
      expected[i] = (i * 7) % 256;
      replay.append(expected.subarray(i, i + 1));
    }
    expect(replay.chunkCount).toBeLessThanOrEqual(2);
    expect([replay.start, replay.end, replay.size]).toEqual([0, 100_000, 100_000]);
    expect(joined(replay.from(0)).equals(expected)).toBe(true);
    expect(joined(replay.from(65_530)).equals(expected.subarray(65_530))).toBe(true);
  });

  it('does not change bytes already handed out by from() when it packs more', () => {
    const replay = new StreamTail(100);
    replay.append(bytes(1, 2));
    const before = replay.from(0);
    replay.append(bytes(3));
    expect([...joined(before)]).toEqual([1, 2]);
    expect([...joined(replay.from(0))]).toEqual([1, 2, 3]);
    expect(replay.chunkCount).toBe(1);
  });

  it('packs tiny appends after a restart and a trim alike', () => {
    const replay = new StreamTail(3);
    for (const value of [1, 2, 3, 4, 5]) replay.append(bytes(value));
    expect([...joined(replay.from(0))]).toEqual([3, 4, 5]);
    replay.restartAt(10);
    replay.append(bytes(6));
    replay.append(bytes(7));
    expect([replay.start, replay.end]).toEqual([10, 12]);
    expect([...joined(replay.from(0))]).toEqual([6, 7]);
  });

  it('holds the last `capacity` bytes of any stream, exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 }),
        fc.nat(200),
        (capacity, chunks, from) => {
          const replay = new StreamTail(capacity);
          for (const chunk of chunks) replay.append(chunk);
          const all = joined(chunks);
          expect(replay.end).toBe(all.byteLength);
          expect(replay.size).toBe(Math.min(capacity, all.byteLength));
          expect(replay.start).toBe(all.byteLength - replay.size);
          const expected = all.subarray(Math.min(Math.max(from, replay.start), all.byteLength));
          expect(joined(replay.from(from)).equals(expected)).toBe(true);
        },
      ),
    );
  });

  it('keeps every byte from the acknowledged offset on, whatever the capacity (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.nat(400)), { maxLength: 30 }),
        (capacity, steps) => {
          const replay = new StreamTail(capacity);
          let acked = 0;
          for (const [chunk, ackTo] of steps) {
            acked = Math.max(acked, Math.min(ackTo, replay.end));
            replay.append(chunk, acked);
            expect(replay.start).toBeLessThanOrEqual(acked);
            expect(replay.size).toBeLessThanOrEqual(Math.max(capacity, replay.end - acked));
          }
        },
      ),
    );
  });
});
