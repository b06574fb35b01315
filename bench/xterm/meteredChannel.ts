/** A channel that counts what passes through it, for the into-xterm bench page. Bench support only. */
import type { ChannelLike } from '../../src-renderer/console/terminalLike';

export interface Meter {
  /** performance.now() of the first output byte. */
  firstByteAt: number | undefined;
  /** Output bytes delivered to the terminal. */
  received: number;
  /** Output bytes the terminal reported parsed (acknowledged towards the agent). */
  consumed: number;
  /**
   * Time the terminal had parsed and reported everything and waited for more
   * (from the report that caught up to the next byte): the transport's share
   * of a slow run. Reports lag the parse by up to a frame, so it is a lower bound.
   */
  starvedMs: number;
  /** How many times it waited so; and the output frames delivered. */
  starvedTimes: number;
  frames: number;
}

/** `inner` as it is, counting the output it hands to the (one) terminal that listens. */
export function metered(inner: ChannelLike, meter: Meter): ChannelLike {
  let caughtUpAt: number | undefined;
  return {
    get sessionId() {
      return inner.sessionId;
    },
    get machine() {
      return inner.machine;
    },
    get loginUser() {
      return inner.loginUser;
    },
    get offset() {
      return inner.offset;
    },
    get status() {
      return inner.status;
    },
    write: (data) => inner.write(data),
    resize: (cols, rows) => inner.resize(cols, rows),
    consumed: (count) => {
      meter.consumed += count;
      if (meter.consumed === meter.received) caughtUpAt = performance.now();
      inner.consumed(count);
    },
    close: () => inner.close(),
    detach: () => inner.detach(),
    // Counted inside the terminal's own listener: a channel holds its output until its first listener.
    onData: (listener) =>
      inner.onData((data) => {
        const now = performance.now();
        meter.firstByteAt ??= now;
        meter.frames += 1;
        if (caughtUpAt !== undefined) {
          meter.starvedMs += now - caughtUpAt;
          meter.starvedTimes += 1;
        }
        caughtUpAt = undefined;
        meter.received += data.byteLength;
        listener(data);
      }),
    onExit: (listener) => inner.onExit(listener),
    onStatus: (listener) => inner.onStatus(listener),
    onLost: (listener) => inner.onLost(listener),
    onClosed: (listener) => inner.onClosed(listener),
  };
}
