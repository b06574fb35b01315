/**
 * Everything the console can do from the keyboard, the quick-open palette
 * and the desktop app's menus: one table, so the three never disagree.
 * Browsers keep Ctrl+T, Ctrl+W, Ctrl+Tab and Ctrl+N for themselves and
 * Ctrl+letter belongs to the shell, so tabs and panes use Alt+Shift chords
 * (as Windows Terminal does for panes); macOS adds ⌘ chords (as iTerm2),
 * which the desktop app's menus use there.
 */
export type CommandId =
  | 'palette.open'
  | 'tab.new'
  | 'tab.close'
  | 'tab.rename'
  | 'tab.next'
  | 'tab.previous'
  | 'tab.moveLeft'
  | 'tab.moveRight'
  | 'machines.show'
  | 'pane.splitRight'
  | 'pane.splitDown'
  | 'pane.close'
  | 'pane.next'
  | 'pane.previous'
  | 'broadcast.toggleTab'
  | 'broadcast.togglePane'
  | 'broadcast.byLabel'
  | 'broadcast.excludePane'
  | 'terminal.find'
  | 'settings.open'
  | 'view.zoomIn'
  | 'view.zoomOut'
  | 'view.zoomReset';

export interface Shortcut {
  /** KeyboardEvent.code, so the chord does not move with the keyboard layout. */
  code: string;
  alt?: boolean;
  shift?: boolean;
  /** Ctrl, or Cmd on macOS. */
  mod?: boolean;
  /**
   * Only while the focus is outside a terminal (Windows and Linux): there
   * Ctrl+K is the shell's kill-line, so the palette's Ctrl+K works from the
   * machine list and Ctrl+Shift+K everywhere.
   */
  outsideTerminal?: boolean;
}

export interface CommandInfo {
  id: CommandId;
  title: string;
  shortcuts: Shortcut[];
  /** More chords on macOS, where ⌘ is free; the first is the menu's. */
  macShortcuts?: Shortcut[];
}

const altShift = (code: string): Shortcut => ({ code, alt: true, shift: true });
const cmd = (code: string, shift = false): Shortcut => ({ code, mod: true, ...(shift ? { shift } : {}) });

export const COMMANDS: readonly CommandInfo[] = [
  {
    id: 'palette.open',
    title: 'Quick open: machines and commands',
    shortcuts: [{ code: 'KeyK', mod: true, outsideTerminal: true }, cmd('KeyK', true)],
  },
  { id: 'tab.new', title: 'New tab…', shortcuts: [altShift('KeyT')], macShortcuts: [cmd('KeyT')] },
  { id: 'tab.close', title: 'Close tab', shortcuts: [altShift('KeyQ')], macShortcuts: [cmd('KeyW', true)] },
  { id: 'tab.rename', title: 'Rename tab', shortcuts: [altShift('KeyR')] },
  {
    id: 'tab.next',
    title: 'Next tab',
    shortcuts: [altShift('BracketRight')],
    macShortcuts: [cmd('BracketRight', true)],
  },
  {
    id: 'tab.previous',
    title: 'Previous tab',
    shortcuts: [altShift('BracketLeft')],
    macShortcuts: [cmd('BracketLeft', true)],
  },
  { id: 'tab.moveLeft', title: 'Move tab left', shortcuts: [altShift('PageUp')] },
  { id: 'tab.moveRight', title: 'Move tab right', shortcuts: [altShift('PageDown')] },
  { id: 'machines.show', title: 'Show machines', shortcuts: [altShift('KeyM')] },
  {
    id: 'pane.splitRight',
    title: 'Split pane right',
    shortcuts: [altShift('KeyD'), altShift('Equal')],
    macShortcuts: [cmd('KeyD')],
  },
  {
    id: 'pane.splitDown',
    title: 'Split pane down',
    shortcuts: [altShift('KeyS'), altShift('Minus')],
    macShortcuts: [cmd('KeyD', true)],
  },
  {
    id: 'pane.close',
    title: 'Close pane (ends its shell)',
    shortcuts: [altShift('KeyW')],
    macShortcuts: [cmd('KeyW')],
  },
  {
    id: 'pane.next',
    title: 'Next pane',
    shortcuts: [altShift('ArrowRight'), altShift('ArrowDown')],
    macShortcuts: [cmd('BracketRight')],
  },
  {
    id: 'pane.previous',
    title: 'Previous pane',
    shortcuts: [altShift('ArrowLeft'), altShift('ArrowUp')],
    macShortcuts: [cmd('BracketLeft')],
  },
  { id: 'broadcast.toggleTab', title: 'Broadcast to all panes of this tab (or disarm)', shortcuts: [altShift('KeyB')] },
  { id: 'broadcast.togglePane', title: 'Add this pane to a broadcast (or take it out)', shortcuts: [altShift('KeyI')] },
  { id: 'broadcast.byLabel', title: 'Broadcast to machines with a label…', shortcuts: [altShift('KeyL')] },
  {
    id: 'broadcast.excludePane',
    title: 'Exclude this pane from the broadcast (or include it)',
    shortcuts: [altShift('KeyE')],
  },
  { id: 'terminal.find', title: 'Find in terminal', shortcuts: [cmd('KeyF', true)], macShortcuts: [cmd('KeyF')] },
  { id: 'settings.open', title: 'Settings', shortcuts: [altShift('Comma')], macShortcuts: [cmd('Comma')] },
  { id: 'view.zoomIn', title: 'Larger text', shortcuts: [cmd('Equal')] },
  { id: 'view.zoomOut', title: 'Smaller text', shortcuts: [cmd('Minus')] },
  { id: 'view.zoomReset', title: 'Text at its usual size', shortcuts: [cmd('Digit0')] },
];

/** Every command id, for the desktop IPC contract's validation. */
export const COMMAND_IDS: readonly CommandId[] = COMMANDS.map((command) => command.id);

/** The chords a command answers to on this platform (macOS: its own first, then the common ones). */
export function shortcutsOf(command: CommandInfo, mac: boolean): Shortcut[] {
  return mac ? [...(command.macShortcuts ?? []), ...command.shortcuts] : command.shortcuts;
}

/** The parts of a KeyboardEvent a shortcut looks at. */
export interface KeyChord {
  code: string;
  altKey: boolean;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/**
 * The command a key press stands for, if any. `mac`: Cmd is the modifier.
 * `inTerminal`: the focus is in a terminal, where some chords belong to the shell.
 */
export function commandFor(chord: KeyChord, mac: boolean, inTerminal = false): CommandId | undefined {
  const mod = mac ? chord.metaKey : chord.ctrlKey;
  const other = mac ? chord.ctrlKey : chord.metaKey;
  if (other) return undefined;
  for (const command of COMMANDS) {
    for (const shortcut of shortcutsOf(command, mac)) {
      if (shortcut.outsideTerminal && inTerminal && !mac) continue;
      if (
        shortcut.code === chord.code &&
        Boolean(shortcut.alt) === chord.altKey &&
        Boolean(shortcut.shift) === chord.shiftKey &&
        Boolean(shortcut.mod) === mod
      ) {
        return command.id;
      }
    }
  }
  return undefined;
}

const KEY_NAMES: Record<string, string> = {
  BracketLeft: '[',
  BracketRight: ']',
  Equal: '=',
  Minus: '-',
  Comma: ',',
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  PageUp: 'PgUp',
  PageDown: 'PgDn',
};

/** The key's name as Electron accelerators write it. */
const ACCELERATOR_KEYS: Record<string, string> = {
  BracketLeft: '[',
  BracketRight: ']',
  Equal: '=',
  Minus: '-',
  Comma: ',',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
};

/** A shortcut as an Electron menu accelerator, e.g. `Alt+Shift+D` or `Cmd+K`. */
export function acceleratorOf(shortcut: Shortcut, mac: boolean): string {
  const key = ACCELERATOR_KEYS[shortcut.code] ?? shortcut.code.replace(/^(Key|Digit)/, '');
  return [
    ...(shortcut.mod ? [mac ? 'Cmd' : 'Ctrl'] : []),
    ...(shortcut.alt ? ['Alt'] : []),
    ...(shortcut.shift ? ['Shift'] : []),
    key,
  ].join('+');
}

/** The one chord a menu shows for a command: one that works everywhere (not only outside terminals). */
export function menuShortcut(command: CommandInfo, mac: boolean): Shortcut | undefined {
  return shortcutsOf(command, mac).find((shortcut) => !shortcut.outsideTerminal || mac);
}

/** How a shortcut reads in menus and the palette, e.g. "Alt+Shift+D" or "⌘K". */
export function describeShortcut(shortcut: Shortcut, mac: boolean): string {
  const key = KEY_NAMES[shortcut.code] ?? shortcut.code.replace(/^(Key|Digit)/, '');
  const parts = [
    ...(shortcut.mod ? [mac ? '⌘' : 'Ctrl'] : []),
    ...(shortcut.alt ? [mac ? '⌥' : 'Alt'] : []),
    ...(shortcut.shift ? [mac ? '⇧' : 'Shift'] : []),
    key,
  ];
  return parts.join(mac ? '' : '+');
}

export function isMac(platform: string): boolean {
  return /mac|iphone|ipad/i.test(platform);
}
