import type { Machine } from './machinesApi';

/** A machine as the broker lists it, for the console's tests. */
export function machine(name: string, changes: Partial<Machine> = {}): Machine {
  return {
    id: `id-${name}`,
    name,
    labels: {},
    os: 'linux',
    arch: 'x64',
    hostname: name,
    online: true,
    lastSeen: '2026-11-23T12:00:00.000Z',
    sessions: 0,
    ...changes,
  };
}

export const FLEET: Machine[] = [
  machine('web-1', { labels: { env: 'prod', role: 'web' }, sessions: 2 }),
  machine('web-2', { labels: { env: 'staging', role: 'web' }, online: false }),
  machine('db-1', { labels: { env: 'prod', role: 'db' }, os: 'darwin', arch: 'arm64', hostname: 'db-1.lan' }),
];
