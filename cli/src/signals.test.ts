import { describe, expect, it } from 'vitest';
import { remoteExitCode } from './signals';

describe('remote exit codes', () => {
  it('passes an exit status through and turns a signal into 128 + its number', () => {
    expect(remoteExitCode({ code: 3, signal: null })).toBe(3);
    expect(remoteExitCode({ code: null, signal: 'SIGKILL' })).toBe(137);
    expect(remoteExitCode({ code: null, signal: 'SIGHUP' })).toBe(129);
    expect(remoteExitCode({ code: null, signal: null })).toBe(1);
  });
});
