import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../store/settingsSlice';
import { WorkspaceFile, type KeyValueStorage } from './workspaceFile';

function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

const saved = {
  tabs: [
    {
      id: 't1',
      customTitle: 'web',
      layout: {
        kind: 'split' as const,
        direction: 'row' as const,
        children: [
          { kind: 'pane' as const, paneId: 'p1' },
          { kind: 'pane' as const, paneId: 'p2' },
        ],
      },
      activePaneId: 'p2',
    },
  ],
  panes: [
    { id: 'p1', machine: 'web-1', sessionId: 's1', title: 'bash' },
    { id: 'p2', machine: 'web-2', title: '' },
  ],
  activeTabId: 't1',
};

describe('the workspace file', () => {
  it('keeps the workspace per broker and person', () => {
    const storage = memoryStorage();
    new WorkspaceFile(storage, 'https://b#alice').saveWorkspace(saved);
    expect(new WorkspaceFile(storage, 'https://b#alice').loadWorkspace()).toEqual(saved);
    expect(new WorkspaceFile(storage, 'https://b#bob').loadWorkspace()).toBeUndefined();
  });

  it('reads nothing from a damaged or foreign entry instead of failing', () => {
    const storage = memoryStorage();
    const file = new WorkspaceFile(storage, 'o');
    storage.items.set('fleetterm.workspace.v1.o', '{not json');
    expect(file.loadWorkspace()).toBeUndefined();
    storage.items.set(
      'fleetterm.workspace.v1.o',
      JSON.stringify({ tabs: [{ id: 't', layout: { kind: 'split', direction: 'diagonal', children: [] } }] }),
    );
    expect(file.loadWorkspace()).toBeUndefined();
  });

  it('keeps each valid setting and replaces the others by their defaults', () => {
    const storage = memoryStorage();
    const file = new WorkspaceFile(storage, 'o');
    expect(file.loadSettings()).toEqual(DEFAULT_SETTINGS);
    storage.items.set(
      'fleetterm.settings.v1.o',
      JSON.stringify({ fontSize: 18, scrollback: -5, theme: 'neon', extra: 1 }),
    );
    expect(file.loadSettings()).toEqual({ ...DEFAULT_SETTINGS, fontSize: 18 });
  });

  it('goes on without saving when the storage refuses', () => {
    const file = new WorkspaceFile(
      {
        getItem: () => null,
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
      },
      'o',
    );
    expect(() => file.saveWorkspace(saved)).not.toThrow();
  });
});
