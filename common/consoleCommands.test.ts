import { describe, expect, it } from 'vitest';
import {
  acceleratorOf,
  COMMANDS,
  commandFor,
  describeShortcut,
  menuShortcut,
  shortcutsOf,
  type KeyChord,
} from './consoleCommands';

const chord = (code: string, keys: Partial<KeyChord> = {}): KeyChord => ({
  code,
  altKey: false,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  ...keys,
});

describe('keyboard commands', () => {
  it('maps chords to commands, with Cmd as the modifier on macOS and Ctrl elsewhere', () => {
    expect(commandFor(chord('KeyK', { ctrlKey: true }), false)).toBe('palette.open');
    expect(commandFor(chord('KeyK', { metaKey: true }), true)).toBe('palette.open');
    expect(commandFor(chord('KeyK', { ctrlKey: true }), true)).toBeUndefined();
    expect(commandFor(chord('KeyD', { altKey: true, shiftKey: true }), false)).toBe('pane.splitRight');
    expect(commandFor(chord('Minus', { altKey: true, shiftKey: true }), false)).toBe('pane.splitDown');
  });

  it('leaves ordinary typing and terminal keys alone', () => {
    expect(commandFor(chord('KeyD'), false)).toBeUndefined();
    expect(commandFor(chord('KeyC', { ctrlKey: true }), false)).toBeUndefined();
    expect(commandFor(chord('KeyD', { altKey: true }), false)).toBeUndefined();
  });

  it('gives every command distinct chords, on macOS and elsewhere', () => {
    for (const mac of [false, true]) {
      const seen = new Set<string>();
      for (const command of COMMANDS) {
        for (const shortcut of shortcutsOf(command, mac)) {
          const key = describeShortcut(shortcut, mac);
          expect(seen.has(key), key).toBe(false);
          seen.add(key);
        }
      }
    }
  });

  it('leaves Ctrl+K to the shell inside a terminal on Windows and Linux, where Ctrl+Shift+K opens the palette', () => {
    expect(commandFor(chord('KeyK', { ctrlKey: true }), false, true)).toBeUndefined();
    expect(commandFor(chord('KeyK', { ctrlKey: true, shiftKey: true }), false, true)).toBe('palette.open');
    expect(commandFor(chord('KeyK', { metaKey: true }), true, true)).toBe('palette.open');
    expect(commandFor(chord('KeyT', { metaKey: true }), true)).toBe('tab.new');
  });

  it('writes menu accelerators the way Electron reads them, never a chord that works only outside terminals', () => {
    const palette = COMMANDS.find((command) => command.id === 'palette.open')!;
    expect(acceleratorOf(menuShortcut(palette, false)!, false)).toBe('Ctrl+Shift+K');
    expect(acceleratorOf(menuShortcut(palette, true)!, true)).toBe('Cmd+K');
    const next = COMMANDS.find((command) => command.id === 'pane.next')!;
    expect(acceleratorOf(menuShortcut(next, false)!, false)).toBe('Alt+Shift+Right');
    expect(acceleratorOf({ code: 'Digit0', mod: true }, false)).toBe('Ctrl+0');
  });

  it('names shortcuts the way each platform writes them', () => {
    expect(describeShortcut({ code: 'KeyK', mod: true }, false)).toBe('Ctrl+K');
    expect(describeShortcut({ code: 'KeyK', mod: true }, true)).toBe('⌘K');
    expect(describeShortcut({ code: 'BracketRight', alt: true, shift: true }, false)).toBe('Alt+Shift+]');
  });
});
