import type { StateCreator } from 'zustand/vanilla';
import { z } from 'zod';

/** A tab whose machine matches `selector` (e.g. `env=prod`) takes `color`. */
export const TabColorRuleSchema = z.object({
  selector: z.string().min(1).max(200),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #d93025'),
});
export type TabColorRule = z.infer<typeof TabColorRuleSchema>;

/** The person's console preferences; every field has a default, so an old settings file still loads. */
export const ConsoleSettingsSchema = z.object({
  fontSize: z.number().int().min(8).max(32).default(14),
  fontFamily: z.string().max(200).default(''),
  /** Lines kept above the screen per pane. */
  scrollback: z.number().int().min(0).max(200_000).default(10_000),
  theme: z.enum(['dark', 'light']).default('dark'),
  /** Broadcast disarms itself after this long without input (0: never). */
  broadcastIdleMinutes: z
    .number()
    .min(0)
    .max(24 * 60)
    .default(5),
  tabColorRules: z
    .array(TabColorRuleSchema)
    .max(50)
    .default([{ selector: 'env=prod', color: '#d93025' }]),
});
export type ConsoleSettings = z.infer<typeof ConsoleSettingsSchema>;

export const DEFAULT_SETTINGS: ConsoleSettings = ConsoleSettingsSchema.parse({});

export interface SettingsSlice {
  settings: ConsoleSettings;
  /** Applies a change; a value out of range is refused whole (the form shows why) and nothing changes. */
  updateSettings(change: Partial<ConsoleSettings>): { ok: true } | { ok: false; message: string };
}

export function createSettingsSlice<S extends SettingsSlice>(
  initial: ConsoleSettings = DEFAULT_SETTINGS,
): StateCreator<S, [], [], SettingsSlice> {
  return (set, get) => ({
    settings: initial,
    updateSettings: (change) => {
      const parsed = ConsoleSettingsSchema.safeParse({ ...get().settings, ...change });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { ok: false, message: `${issue?.path.join('.') || 'settings'}: ${issue?.message ?? 'invalid'}` };
      }
      set({ settings: parsed.data } as Partial<S>);
      return { ok: true };
    },
  });
}
