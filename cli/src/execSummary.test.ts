import { describe, expect, it } from 'vitest';
import { execExitCode, formatJsonResults, formatSummary, type ExecResult } from './execSummary';

const ok = (machine: string): ExecResult => ({ machine, exitCode: 0, signal: null, output: '' });

describe('exec results', () => {
  it('exits 0 only if every machine exited 0', () => {
    expect(execExitCode([ok('a'), ok('b')])).toBe(0);
    expect(execExitCode([ok('a'), { ...ok('b'), exitCode: 3 }])).toBe(1);
    expect(execExitCode([ok('a'), { ...ok('b'), exitCode: null, signal: 'SIGKILL' }])).toBe(1);
    expect(
      execExitCode([ok('a'), { ...ok('b'), exitCode: null, error: { code: 'MACHINE_OFFLINE', message: 'off' } }]),
    ).toBe(1);
    expect(execExitCode([])).toBe(1);
  });

  it('summarises each machine with its exit code, signal or error', () => {
    const summary = formatSummary([
      ok('db-1'),
      { ...ok('db-2'), exitCode: 2 },
      { ...ok('web-10'), exitCode: null, signal: 'SIGTERM' },
      { ...ok('web-2'), exitCode: null, error: { code: 'MACHINE_OFFLINE', message: 'The agent is not connected.' } },
    ]);
    expect(summary).toBe(
      [
        'MACHINE  RESULT           DETAIL',
        'db-1     exit 0',
        'db-2     exit 2',
        'web-10   signal SIGTERM',
        'web-2    MACHINE_OFFLINE  The agent is not connected.',
        '4 machines: 1 ok, 3 failed',
        '',
      ].join('\n'),
    );
  });

  it('prints one JSON document with every result', () => {
    const results = [{ ...ok('a'), output: 'hi\n' }];
    expect(JSON.parse(formatJsonResults(results))).toEqual({ results });
  });
});
