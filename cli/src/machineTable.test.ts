import { describe, expect, it } from 'vitest';
import { formatLastSeen, formatMachineTable } from './machineTable';

const now = new Date('2025-01-01T12:00:00Z');

describe('machine table', () => {
  it('shows name, state, OS, labels, sessions and last seen in aligned columns', () => {
    const table = formatMachineTable(
      [
        {
          name: 'web-1',
          labels: { env: 'prod', role: 'web' },
          online: true,
          os: 'linux',
          arch: 'x64',
          sessions: 2,
          lastSeen: null,
        },
        {
          name: 'db-10',
          labels: {},
          online: false,
          os: 'linux',
          arch: 'arm64',
          sessions: 0,
          lastSeen: '2025-01-01T09:00:00Z',
        },
      ],
      now,
    );
    expect(table).toBe(
      [
        'NAME   STATE    OS           LABELS             SESSIONS  LAST SEEN',
        'web-1  online   linux/x64    env=prod,role=web  2         now',
        'db-10  offline  linux/arm64  -                  0         3h ago',
        '',
      ].join('\n'),
    );
  });

  it('says how long ago an offline machine was seen', () => {
    const seen = (iso: string | null) => formatLastSeen({ online: false, lastSeen: iso }, now);
    expect(seen(null)).toBe('never');
    expect(seen('2025-01-01T11:59:30Z')).toBe('30s ago');
    expect(seen('2025-01-01T11:15:00Z')).toBe('45m ago');
    expect(seen('2024-12-29T12:00:00Z')).toBe('3d ago');
  });
});
