import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { desktopCommands, type DesktopCommand } from '../common/desktopApi';
import { buildApplicationMenu } from './applicationMenu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function menu(platform: string, isPackaged = true) {
  const sent: DesktopCommand[] = [];
  const items = flatten(
    buildApplicationMenu({ platform, appName: 'Fleetterm', isPackaged, send: (c) => sent.push(c) }),
  );
  return { items, sent };
}

describe('the application menu', () => {
  it('offers every console command, and each item sends its own', () => {
    for (const platform of ['darwin', 'linux', 'win32']) {
      const { items, sent } = menu(platform);
      const commandItems = items.filter((item) => (desktopCommands as readonly string[]).includes(item.id ?? ''));
      expect(commandItems.map((item) => item.id).sort(), platform).toEqual([...desktopCommands].sort());
      for (const item of commandItems) item.click?.(undefined as never, undefined, undefined as never);
      expect(sent, platform).toEqual(commandItems.map((item) => item.id));
    }
  });

  it('gives no two items the same shortcut', () => {
    for (const platform of ['darwin', 'linux', 'win32']) {
      const accelerators = menu(platform)
        .items.map((item) => item.accelerator)
        .filter((accelerator): accelerator is string => typeof accelerator === 'string' && accelerator !== '');
      expect(new Set(accelerators).size, platform).toBe(accelerators.length);
    }
  });

  it('leaves Ctrl+letter to the shell on Windows and Linux (Ctrl+C is an interrupt there, not copy)', () => {
    for (const platform of ['linux', 'win32']) {
      for (const item of menu(platform).items) {
        if (typeof item.accelerator !== 'string') continue;
        expect(item.accelerator, `${item.label ?? item.role}`).not.toMatch(/^(Ctrl|CmdOrCtrl)\+[A-Z]$/);
        expect(item.accelerator).not.toMatch(/^Cmd/);
      }
    }
    const copy = menu('linux').items.find((item) => item.role === 'copy');
    expect(copy?.accelerator).toBe('Ctrl+Shift+C');
  });

  it('has the standard Edit roles on macOS, and the app menu', () => {
    const { items } = menu('darwin');
    expect(items.filter((item) => item.role === 'copy' || item.role === 'paste')).toHaveLength(2);
    expect(items.some((item) => item.role === 'appMenu')).toBe(true);
  });

  it('has developer tools only when unpackaged, and never reload (Ctrl+R is the shell history search)', () => {
    expect(menu('linux', true).items.some((item) => item.role === 'toggleDevTools')).toBe(false);
    const dev = menu('linux', false).items;
    expect(dev.some((item) => item.role === 'toggleDevTools')).toBe(true);
    expect(dev.some((item) => item.role === 'reload' || item.role === 'forceReload')).toBe(false);
  });
});
