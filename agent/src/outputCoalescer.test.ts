import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COALESCE_MAX_BYTES, COALESCE_WINDOW_MS } from '../../common/protocol';
import { INTERACTIVE_WINDOW_BYTES, OutputCoalescer, QUIET_GAP_MS } from './outputCoalescer';

const chunk = (size: number, fill = 1) => new Uint8Array(size).fill(fill);

describe('OutputCoalescer', () => {
  let frames: Uint8Array[];
  let coalescer: OutputCoalescer;

  beforeEach(() => {
    vi.useFakeTimers();
    frames = [];
    coalescer = new OutputCoalescer((frame) => frames.push(frame));
  });
  afterEach(() => {
    coalescer.dispose();
    vi.useRealTimers();
  });

  it('sends the first chunk after a quiet moment at once (a keystroke echo is not delayed)', () => {
    coalescer.push(chunk(1));
    expect(frames).toHaveLength(1);
  });

  it('sends each echo of fast typing at once: the window stays under its interactive budget', () => {
    for (let key = 0; key < 10; key++) coalescer.push(chunk(1));
    expect(frames).toHaveLength(10);
  });

  it('sets no timer while output is typing-sized: windows are kept by the clock', () => {
    for (let key = 0; key < 10; key++) {
      coalescer.push(chunk(1));
      vi.advanceTimersByTime(2);
    }
    expect(frames).toHaveLength(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gathers a flood within the window into one frame, sent at the window’s tick', () => {
    coalescer.push(chunk(1));
    coalescer.push(chunk(INTERACTIVE_WINDOW_BYTES));
    coalescer.push(chunk(20));
    expect(frames).toHaveLength(1);
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(frames.map((f) => f.byteLength)).toEqual([1, INTERACTIVE_WINDOW_BYTES + 20]);
  });

  it('sends at once when the gathered bytes reach the size cap', () => {
    coalescer.push(chunk(1));
    coalescer.push(chunk(COALESCE_MAX_BYTES - 1));
    coalescer.push(chunk(1));
    expect(frames.map((f) => f.byteLength)).toEqual([1, COALESCE_MAX_BYTES]);
  });

  it('closes the window when a tick finds nothing new: the next chunk leaves at once again', () => {
    coalescer.push(chunk(1));
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    coalescer.push(chunk(2));
    expect(frames.map((f) => f.byteLength)).toEqual([1, 2]);
  });

  it('keeps the window open while output flows, one frame per tick', () => {
    coalescer.push(chunk(1));
    // A flood: a read every half millisecond, never quiet for QUIET_GAP_MS.
    for (let read = 1; read <= 30; read++) {
      vi.advanceTimersByTime(QUIET_GAP_MS / 2);
      coalescer.push(chunk(INTERACTIVE_WINDOW_BYTES));
    }
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    const reads = (n: number) => n * INTERACTIVE_WINDOW_BYTES;
    expect(frames.map((f) => f.byteLength)).toEqual([1, reads(9), reads(10), reads(10), reads(1)]);
  });

  it('sends the first chunk after a pause at once, with what waited, and opens a new window (the prompt after Ctrl-C)', () => {
    coalescer.push(chunk(1));
    coalescer.push(chunk(2 * INTERACTIVE_WINDOW_BYTES));
    expect(frames).toHaveLength(1);
    vi.advanceTimersByTime(QUIET_GAP_MS);
    coalescer.push(chunk(20));
    coalescer.push(chunk(5));
    expect(frames.map((f) => f.byteLength)).toEqual([1, 2 * INTERACTIVE_WINDOW_BYTES, 20, 5]);
  });

  it('flushes what waits on demand (before an exit), and sends later chunks at once after dispose', () => {
    coalescer.push(chunk(1));
    coalescer.push(chunk(7));
    coalescer.flush();
    expect(frames.map((f) => f.byteLength)).toEqual([1, 7]);
    coalescer.push(chunk(3));
    coalescer.dispose();
    coalescer.push(chunk(4));
    expect(frames.map((f) => f.byteLength)).toEqual([1, 7, 3, 4]);
  });

  it('never reorders, drops or grows bytes, and frames stay within the cap (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 * COALESCE_MAX_BYTES }), fc.nat(2 * COALESCE_WINDOW_MS)), {
          maxLength: 40,
        }),
        (steps) => {
          const out: Uint8Array[] = [];
          const c = new OutputCoalescer((frame) => out.push(frame));
          const sent: Uint8Array[] = [];
          steps.forEach(([size, waitMs], i) => {
            sent.push(chunk(size, i % 256));
            c.push(sent.at(-1)!);
            vi.advanceTimersByTime(waitMs);
          });
          c.dispose();
          expect(out.every((f) => f.byteLength > 0 && f.byteLength <= COALESCE_MAX_BYTES)).toBe(true);
          expect(Buffer.concat(out).equals(Buffer.concat(sent))).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
});
