import { describe, expect, it } from 'vitest';
import { FLEET } from '../testMachines';
import { paletteItems } from './paletteItems';

const names = (query: string) =>
  paletteItems(query, FLEET, false).map((item) => (item.kind === 'machine' ? item.machine.name : item.id));

describe('the quick-open palette', () => {
  it('finds machines by name or label, every word matching, online ones first', () => {
    expect(names('env=prod').filter((name) => !name.includes('.'))).toEqual(['db-1', 'web-1']);
    expect(names('web role=web')).toEqual(['web-1', 'web-2']);
    expect(names('web env=staging')).toEqual(['web-2']);
  });

  it('lists commands by title with their shortcut, after the machines', () => {
    const items = paletteItems('split', FLEET, false);
    expect(items.map((item) => item.kind === 'command' && [item.id, item.detail])).toEqual([
      ['pane.splitRight', 'Alt+Shift+D'],
      ['pane.splitDown', 'Alt+Shift+S'],
    ]);
    expect(names('')[0]).toBe('db-1');
    expect(names('')).toContain('tab.rename');
  });

  it('marks offline machines', () => {
    const web2 = paletteItems('web-2', FLEET, false)[0];
    expect(web2).toMatchObject({ kind: 'machine', detail: 'offline · env=staging · role=web' });
  });
});
