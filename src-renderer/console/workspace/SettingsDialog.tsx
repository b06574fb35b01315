import { useState, type FormEvent } from 'react';
import type { ConsoleSettings } from '../store/settingsSlice';
import { useConsoleStore } from '../store/useConsoleStore';
import { Modal } from './Modal';
import { formatColorRules, parseColorRules } from './tabColor';

/** The console's settings: terminal look, scrollback, broadcast idle time and tab colours. Kept per broker and person. */
export function SettingsDialog({ onClose }: { onClose(): void }) {
  const settings = useConsoleStore((state) => state.settings);
  const updateSettings = useConsoleStore((state) => state.updateSettings);
  const [draft, setDraft] = useState<ConsoleSettings>(settings);
  const [rulesText, setRulesText] = useState(formatColorRules(settings.tabColorRules));
  const [error, setError] = useState<string | undefined>(undefined);
  const set = (change: Partial<ConsoleSettings>) => setDraft((current) => ({ ...current, ...change }));

  const save = (event: FormEvent) => {
    event.preventDefault();
    const rules = parseColorRules(rulesText);
    if (!rules.ok) return setError(`Tab colours, ${rules.message}`);
    const saved = updateSettings({ ...draft, tabColorRules: rules.rules });
    if (!saved.ok) return setError(saved.message);
    onClose();
  };

  return (
    <Modal title="Settings" onClose={onClose} className="settings-dialog">
      <form className="settings-form" onSubmit={save}>
        <NumberSetting
          label="Font size"
          range={[8, 32, 1]}
          value={draft.fontSize}
          set={(fontSize) => set({ fontSize })}
        />
        <label>
          <span>
            Font family <span className="card__hint">(empty: the system’s monospace)</span>
          </span>
          <input
            value={draft.fontFamily}
            placeholder="JetBrains Mono, monospace"
            onChange={(e) => set({ fontFamily: e.target.value })}
          />
        </label>
        <label>
          <span>Theme</span>
          <select value={draft.theme} onChange={(e) => set({ theme: e.target.value as ConsoleSettings['theme'] })}>
            <option value="dark">Dark</option>
            <option value="light">Light</option>
          </select>
        </label>
        <NumberSetting
          label="Scrollback"
          hint="lines per pane"
          range={[0, 200_000, 1000]}
          value={draft.scrollback}
          set={(scrollback) => set({ scrollback })}
        />
        <NumberSetting
          label="Disarm broadcast after"
          hint="minutes without input; 0: never"
          range={[0, 1440, 1]}
          value={draft.broadcastIdleMinutes}
          set={(broadcastIdleMinutes) => set({ broadcastIdleMinutes })}
        />
        <label>
          <span>
            Tab colours{' '}
            <span className="card__hint">(one rule per line: labels, then a colour; the first match wins)</span>
          </span>
          <textarea rows={3} value={rulesText} spellCheck={false} onChange={(e) => setRulesText(e.target.value)} />
        </label>
        {error && (
          <p role="alert" className="card__error">
            {error}
          </p>
        )}
        <div className="card__row">
          <button type="submit">Save</button>
          <button type="button" className="button--quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

interface NumberSettingProps {
  label: string;
  hint?: string;
  /** min, max, step */
  range: [number, number, number];
  value: number;
  set(value: number): void;
}

function NumberSetting({ label, hint, range: [min, max, step], value, set }: NumberSettingProps) {
  return (
    <label>
      <span>
        {label} {hint && <span className="card__hint">({hint})</span>}
      </span>
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(e) => set(Number(e.target.value))}
      />
    </label>
  );
}
