import { describe, expect, it } from 'vitest';
import { filterMachines, isFiltered, labelOptions, NO_FILTER, osName, osOptions } from './machineFilters';
import { FLEET } from './testMachines';

const names = (filter: Partial<typeof NO_FILTER>) =>
  filterMachines(FLEET, { ...NO_FILTER, ...filter }).map((m) => m.name);

describe('the machine filters', () => {
  it('let everything through when empty', () => {
    expect(names({})).toEqual(['web-1', 'web-2', 'db-1']);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, query: '  ' })).toBe(false);
  });

  it('search names, hostnames and key=value labels, ignoring case; every word must match', () => {
    expect(names({ query: 'WEB' })).toEqual(['web-1', 'web-2']);
    expect(names({ query: 'lan' })).toEqual(['db-1']);
    expect(names({ query: 'env=prod' })).toEqual(['web-1', 'db-1']);
    expect(names({ query: 'web prod' })).toEqual(['web-1']);
    expect(names({ query: 'nothing-like-it' })).toEqual([]);
  });

  it('filter by one label, by OS and by state, together', () => {
    expect(names({ label: 'role=web' })).toEqual(['web-1', 'web-2']);
    expect(names({ label: 'env' })).toEqual(['web-1', 'web-2', 'db-1']);
    expect(names({ label: 'env=prod=x' })).toEqual([]);
    expect(names({ os: 'darwin' })).toEqual(['db-1']);
    expect(names({ state: 'offline' })).toEqual(['web-2']);
    expect(names({ state: 'online', label: 'role=web' })).toEqual(['web-1']);
    expect(isFiltered({ ...NO_FILTER, state: 'online' })).toBe(true);
  });

  it('offer the labels and systems the fleet has, sorted and once each', () => {
    expect(labelOptions(FLEET)).toEqual(['env=prod', 'env=staging', 'role=db', 'role=web']);
    expect(osOptions(FLEET)).toEqual(['darwin', 'linux']);
    expect([osName('darwin'), osName('win32'), osName('plan9')]).toEqual(['macOS', 'Windows', 'plan9']);
  });
});
