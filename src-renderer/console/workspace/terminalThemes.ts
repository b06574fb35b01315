import type { ITheme } from '@xterm/xterm';
import { DEFAULT_THEME } from '../xtermTerminal';
import type { ConsoleSettings } from '../store/settingsSlice';
import type { TerminalSettings } from '../terminalLike';

const LIGHT_THEME: ITheme = {
  background: '#f8fafc',
  foreground: '#0f172a',
  cursor: '#0f172a',
  selectionBackground: '#cbd5e1',
  black: '#0f172a',
  white: '#94a3b8',
  brightWhite: '#64748b',
};

/** The terminal settings a pane gets from the person's console settings. */
export function terminalSettingsOf(settings: ConsoleSettings): TerminalSettings {
  const result: TerminalSettings = {
    fontSize: settings.fontSize,
    scrollback: settings.scrollback,
    theme: settings.theme === 'light' ? LIGHT_THEME : DEFAULT_THEME,
  };
  if (settings.fontFamily !== '') result.fontFamily = settings.fontFamily;
  return result;
}
