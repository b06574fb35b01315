import { describe, expect, it } from 'vitest';
import { remoteExitCode } from './signals';

describe('remote exit codes', () => {
  it('passes an exit status through and turns a signal into 128 + its number', () => {
    expect(remoteExitCode({ code: 3, signal: null })).toBe(3);
    // Statuses past 255 (Windows) keep failing instead of wrapping to success.
    expect(remoteExitCode({ code: 256, signal: null })).toBe(1);
    expect(remoteExitCode({ code: 258, signal: null })).toBe(2);
    expect(remoteExitCode({ code: 0, signal: null })).toBe(0);
    expect(remoteExitCode({ code: null, signal: 'SIGKILL' })).toBe(137);
    expect(remoteExitCode({ code: null, signal: 'SIGHUP' })).toBe(129);
    expect(remoteExitCode({ code: null, signal: null })).toBe(1);
  });
});
