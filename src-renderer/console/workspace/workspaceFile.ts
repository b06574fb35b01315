import { z } from 'zod';
import type { PaneLayout } from './paneLayout';
import { ConsoleSettingsSchema, DEFAULT_SETTINGS, type ConsoleSettings } from '../store/settingsSlice';
import type { SavedWorkspace } from '../store/workspaceSlice';

/**
 * The workspace and the settings kept across restarts, in the page's
 * storage (localStorage in the web console), one entry per broker and
 * person. Read back through schemas: a file from an older version or one
 * edited by hand loses what does not fit instead of breaking the console.
 */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const Id = z.string().min(1).max(64);

const LayoutSchema: z.ZodType<PaneLayout> = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal('pane'), paneId: Id }),
    z.object({
      kind: z.literal('split'),
      direction: z.enum(['row', 'column']),
      children: z.array(LayoutSchema).min(2).max(16),
    }),
  ]),
);

const SavedWorkspaceSchema = z.object({
  tabs: z
    .array(
      z.object({
        id: Id,
        customTitle: z.string().max(80).optional(),
        layout: LayoutSchema,
        activePaneId: Id,
      }),
    )
    .max(100),
  panes: z
    .array(
      z.object({ id: Id, machine: z.string().min(1).max(64), sessionId: Id.optional(), title: z.string().max(200) }),
    )
    .max(400),
  activeTabId: Id.optional(),
});

export class WorkspaceFile {
  constructor(
    private readonly storage: KeyValueStorage,
    /** Whose workspace: the broker and the person, e.g. `https://broker.example:7420#alice`. */
    private readonly owner: string,
  ) {}

  private key(what: 'workspace' | 'settings'): string {
    return `fleetterm.${what}.v1.${this.owner}`;
  }

  loadWorkspace(): SavedWorkspace | undefined {
    const parsed = SavedWorkspaceSchema.safeParse(this.read('workspace'));
    return parsed.success ? (parsed.data as SavedWorkspace) : undefined;
  }

  saveWorkspace(saved: SavedWorkspace): void {
    this.write('workspace', saved);
  }

  /** The saved settings, each field that does not fit replaced by its default. */
  loadSettings(): ConsoleSettings {
    const raw = this.read('settings');
    if (typeof raw !== 'object' || raw === null) return DEFAULT_SETTINGS;
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const [key, value] of Object.entries(raw)) {
      const field = ConsoleSettingsSchema.shape[key as keyof ConsoleSettings];
      if (field?.safeParse(value).success) settings[key] = value;
    }
    return ConsoleSettingsSchema.parse(settings);
  }

  saveSettings(settings: ConsoleSettings): void {
    this.write('settings', settings);
  }

  private read(what: 'workspace' | 'settings'): unknown {
    try {
      const text = this.storage.getItem(this.key(what));
      return text === null ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  }

  private write(what: 'workspace' | 'settings', value: unknown): void {
    try {
      this.storage.setItem(this.key(what), JSON.stringify(value));
    } catch {
      // Storage full or disabled (private windows): the console works on, only without restore.
    }
  }
}
