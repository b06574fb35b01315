import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowControl } from './flowControl';

function pty() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

describe('FlowControl', () => {
  it('pauses when unacknowledged output passes the high watermark and resumes below the low one', () => {
    const target = pty();
    const flow = new FlowControl(target, 100, 40);
    flow.produced(100);
    expect(flow.isPaused).toBe(false);
    flow.produced(101);
    expect(target.calls).toEqual(['pause']);
    flow.ack(50);
    expect(flow.isPaused).toBe(true);
    flow.ack(62);
    expect(target.calls).toEqual(['pause', 'resume']);
    expect(flow.unacknowledged).toBe(39);
  });

  it('ignores acks older than the last one and clamps acks past the output', () => {
    const flow = new FlowControl(pty(), 100, 40);
    flow.produced(50);
    flow.ack(30);
    flow.ack(10);
    expect(flow.acknowledged).toBe(30);
    flow.ack(1e9);
    expect(flow.acknowledged).toBe(50);
  });

  it('counts from a new consumer’s offset after an attach', () => {
    const target = pty();
    const flow = new FlowControl(target, 100, 40);
    flow.produced(500);
    flow.ack(500);
    expect(target.calls).toEqual(['pause', 'resume']);
    flow.restartAt(0);
    expect(flow.unacknowledged).toBe(500);
    expect(target.calls).toEqual(['pause', 'resume', 'pause']);
  });

  it('resumes for good once released (the process is gone and its last bytes must be read)', () => {
    const target = pty();
    const flow = new FlowControl(target, 100, 40);
    flow.produced(200);
    flow.release();
    flow.produced(10_000);
    expect(target.calls).toEqual(['pause', 'resume']);
    expect(flow.isPaused).toBe(false);
  });

  it('is paused exactly when it should be, and pause/resume alternate (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(300)), { maxLength: 60 }), (steps) => {
        const target = pty();
        const flow = new FlowControl(target, 100, 40);
        let produced = 0;
        for (const [isOutput, n] of steps) {
          if (isOutput) flow.produced((produced += n));
          else flow.ack(flow.acknowledged + n);
          if (flow.unacknowledged > 100) expect(flow.isPaused).toBe(true);
          if (flow.unacknowledged < 40) expect(flow.isPaused).toBe(false);
        }
        target.calls.forEach((call, i) => expect(call).toBe(i % 2 === 0 ? 'pause' : 'resume'));
      }),
    );
  });
});
