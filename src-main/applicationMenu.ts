import type { MenuItemConstructorOptions } from 'electron';
import { acceleratorOf, COMMANDS, menuShortcut, type CommandInfo } from '../common/consoleCommands';
import type { DesktopCommand } from '../common/desktopApi';

export interface ApplicationMenuInput {
  /** `process.platform`: macOS gets the app menu and ⌘ shortcuts. */
  platform: string;
  appName: string;
  /** Developer tools only in an unpackaged app. */
  isPackaged: boolean;
  /** Sends a command to the console page (desktopEvents.command). */
  send(command: DesktopCommand): void;
}

/** Where each command appears: the File menu (tabs and panes) or the View menu (the rest). */
const FILE_MENU = /^(tab|pane|machines)\./;

/**
 * The application menu as a template for Menu.buildFromTemplate: every
 * console command with its shortcut, sent to the page, plus the standard
 * roles for copy and paste (xterm handles the copy and paste events, with
 * bracketed paste) and the window.
 */
export function buildApplicationMenu(input: ApplicationMenuInput): MenuItemConstructorOptions[] {
  const mac = input.platform === 'darwin';
  // The console's shortcut table (common/consoleCommands.ts) gives labels and accelerators:
  // on Windows and Linux never Ctrl+letter alone, which belongs to the shell; on macOS ⌘ chords.
  const item = (command: CommandInfo): MenuItemConstructorOptions => {
    const shortcut = menuShortcut(command, mac);
    return {
      label: command.title,
      id: command.id,
      ...(shortcut ? { accelerator: acceleratorOf(shortcut, mac) } : {}),
      click: () => input.send(command.id),
    };
  };
  const fileItems = COMMANDS.filter((command) => FILE_MENU.test(command.id)).map(item);
  const viewItems = COMMANDS.filter((command) => !FILE_MENU.test(command.id)).map(item);
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const edit: MenuItemConstructorOptions[] = mac
    ? [{ role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }]
    : // Not Ctrl+C/V/A: those belong to the shell.
      [
        { role: 'copy', accelerator: 'Ctrl+Shift+C' },
        { role: 'paste', accelerator: 'Ctrl+Shift+V' },
        { role: 'selectAll', accelerator: 'Ctrl+Shift+A' },
      ];
  // No reload item: its Ctrl+R is the shell's history search, and a reload drops every terminal.
  const developer: MenuItemConstructorOptions[] = input.isPackaged ? [] : [separator, { role: 'toggleDevTools' }];

  return [
    ...(mac ? [{ label: input.appName, role: 'appMenu' as const }] : []),
    {
      label: mac ? 'Shell' : '&File',
      submenu: [...fileItems, ...(mac ? [] : [separator, { role: 'quit' as const }])],
    },
    { label: mac ? 'Edit' : '&Edit', submenu: edit },
    {
      label: mac ? 'View' : '&View',
      submenu: [...viewItems, separator, { role: 'togglefullscreen' }, ...developer],
    },
    { label: mac ? 'Window' : '&Window', role: 'windowMenu' },
  ];
}
