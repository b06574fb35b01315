import { describe, expect, it } from 'vitest';
import { selectTargets } from './execTargets';
import type { MachineInfo } from './machines';

const machine = (name: string, labels: Record<string, string>, online = true): MachineInfo => ({
  name,
  labels,
  online,
});
const fleet = [
  machine('web-2', { env: 'prod', role: 'web' }),
  machine('web-1', { env: 'prod', role: 'web' }),
  machine('db-1', { env: 'prod', role: 'db' }, false),
  machine('dev-1', { env: 'dev', role: 'web' }),
];
const names = (r: ReturnType<typeof selectTargets>) => (r.ok ? r.value.map((m) => m.name) : r.error);

describe('exec targets', () => {
  it('takes named machines, sorted and each once', () => {
    expect(names(selectTargets(fleet, { names: ['web-2', 'dev-1'], labels: {}, all: false }))).toEqual([
      'dev-1',
      'web-2',
    ]);
  });

  it('refuses names that do not exist, naming them all', () => {
    const result = selectTargets(fleet, { names: ['web-1', 'nope', 'gone'], labels: {}, all: false });
    expect(result.ok).toBe(false);
    expect(names(result)).toMatch(/"nope", "gone".*MACHINE_NOT_FOUND/);
  });

  it('matches machines carrying every given label, offline ones included', () => {
    expect(names(selectTargets(fleet, { names: [], labels: { env: 'prod' }, all: false }))).toEqual([
      'db-1',
      'web-1',
      'web-2',
    ]);
    expect(names(selectTargets(fleet, { names: [], labels: { env: 'prod', role: 'web' }, all: false }))).toEqual([
      'web-1',
      'web-2',
    ]);
  });

  it('adds named machines to the label matches', () => {
    expect(names(selectTargets(fleet, { names: ['dev-1'], labels: { role: 'db' }, all: false }))).toEqual([
      'db-1',
      'dev-1',
    ]);
  });

  it('says so when no machine matches the labels', () => {
    expect(names(selectTargets(fleet, { names: [], labels: { env: 'qa' }, all: false }))).toMatch(
      /no machine has the labels env=qa/,
    );
  });

  it('takes every machine with --all', () => {
    expect(names(selectTargets(fleet, { names: [], labels: {}, all: true }))).toHaveLength(4);
  });
});
