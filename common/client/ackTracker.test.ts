import { describe, expect, it } from 'vitest';
import { ACK_BATCH_BYTES } from '../protocol';
import { AckTracker } from './ackTracker';

describe('AckTracker', () => {
  it('has nothing to ack before anything is consumed', () => {
    const acks = new AckTracker(0);
    acks.delivered(0, 100);
    expect(acks.due()).toBeUndefined();
  });

  it('acks when everything delivered was consumed, however little', () => {
    const acks = new AckTracker(0);
    acks.delivered(0, 10);
    acks.consumed(10);
    expect(acks.due()).toBe(10);
    acks.acked(10);
    expect(acks.due()).toBeUndefined();
  });

  it('waits for a full batch while delivered output is still being consumed', () => {
    const acks = new AckTracker(1000);
    acks.delivered(1000, ACK_BATCH_BYTES * 2);
    acks.consumed(ACK_BATCH_BYTES - 1);
    expect(acks.due()).toBeUndefined();
    acks.consumed(1);
    expect(acks.due()).toBe(1000 + ACK_BATCH_BYTES);
  });

  it('counts consumption across a gap of lost bytes', () => {
    const acks = new AckTracker(0);
    acks.delivered(0, 10);
    acks.delivered(500, 10);
    acks.consumed(15);
    expect(acks.unconsumed).toBe(5);
    acks.consumed(5);
    expect(acks.due()).toBe(510);
  });

  it('ignores consumption beyond what was delivered', () => {
    const acks = new AckTracker(0);
    acks.delivered(0, 10);
    acks.consumed(1_000_000);
    expect(acks.due()).toBe(10);
    expect(acks.unconsumed).toBe(0);
  });
});
