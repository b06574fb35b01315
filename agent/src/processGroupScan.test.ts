import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { membersOfSessions, SessionScanner } from './processGroupScan';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fake /proc: `stats` maps a pid to its stat line. */
function fakeProc(stats: Record<number, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetterm-proc-'));
  dirs.push(dir);
  for (const [pid, line] of Object.entries(stats)) {
    mkdirSync(join(dir, pid));
    writeFileSync(join(dir, pid, 'stat'), line);
  }
  mkdirSync(join(dir, 'self'));
  mkdirSync(join(dir, '77')); // a process that went away between readdir and read: no stat file
  return dir;
}

describe.runIf(process.platform === 'linux')('membersOfSessions', () => {
  it('finds the live members of several sessions in one pass, without zombies or unreadable entries', () => {
    const proc = fakeProc({
      100: '100 (bash) S 1 100 100 34816 100 4194304',
      101: '101 (sleep) S 100 101 100 34816 100 4194304',
      102: '102 (a) b (c) S 1 102 100 0 -1',
      103: '103 (gone) Z 100 103 100 0 -1',
      200: '200 (sh) S 1 200 200 0 -1',
      300: '300 (other) S 1 300 300 0 -1',
      400: 'garbage',
    });
    const found = membersOfSessions([100, 200, 500], proc);
    expect(Object.fromEntries([...found].map(([sid, pids]) => [sid, pids.sort()]))).toEqual({
      100: [100, 101, 102],
      200: [200],
    });
  });

  it('answers nothing for no session or an unreadable /proc', () => {
    expect(membersOfSessions([], '/proc').size).toBe(0);
    expect(membersOfSessions([1], join(tmpdir(), 'no-such-proc-dir')).size).toBe(0);
  });
});

describe('SessionScanner', () => {
  it('answers every request of one turn of the event loop from a single pass', async () => {
    const passes: number[][] = [];
    const scanner = new SessionScanner((sids) => {
      const asked = [...sids];
      passes.push(asked);
      return new Map(asked.filter((sid) => sid % 2 === 0).map((sid) => [sid, [sid, sid + 1]]));
    }, 0);
    const answers = await Promise.all([1, 2, 3, 4, 2].map((sid) => scanner.members(sid)));
    expect(passes).toEqual([[1, 2, 3, 4]]);
    expect(answers).toEqual([[], [2, 3], [], [4, 5], [2, 3]]);
  });

  it('keeps passes at least its interval apart: requests meanwhile share the next pass', async () => {
    const passAt: number[] = [];
    const scanner = new SessionScanner(() => (passAt.push(performance.now()), new Map()), 30);
    await scanner.members(1);
    const later = [scanner.members(2), scanner.members(3)];
    await Promise.all(later);
    expect(passAt).toHaveLength(2);
    expect(passAt[1]! - passAt[0]!).toBeGreaterThanOrEqual(29);
  });

  it('answers empty when the pass fails', async () => {
    const scanner = new SessionScanner(() => {
      throw new Error('EACCES');
    }, 0);
    await expect(scanner.members(7)).resolves.toEqual([]);
  });
});
