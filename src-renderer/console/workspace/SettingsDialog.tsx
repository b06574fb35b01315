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
        <label>
          <span>Font size</span>
          <input
            type="number"
            min={8}
            max={32}
            value={draft.fontSize}
            onChange={(e) => set({ fontSize: Number(e.target.value) })}
          />
        </label>
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
        <label>
          <span>
            Scrollback <span className="card__hint">(lines per pane)</span>
          </span>
          <input
            type="number"
            min={0}
            max={200000}
            step={1000}
            value={draft.scrollback}
            onChange={(e) => set({ scrollback: Number(e.target.value) })}
          />
        </label>
        <label>
          <span>
            Disarm broadcast after <span className="card__hint">(minutes without input; 0: never)</span>
          </span>
          <input
            type="number"
            min={0}
            max={1440}
            value={draft.broadcastIdleMinutes}
            onChange={(e) => set({ broadcastIdleMinutes: Number(e.target.value) })}
          />
        </label>
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
