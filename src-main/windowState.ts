import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { defaultWindowSize, minimumWindowSize } from './windowOptions';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What `<userData>/window-state.json` keeps: the normal (unmaximized) bounds and whether it was maximized. */
export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

const Int = z.number().int().min(-100_000).max(100_000);
const State = z.object({
  bounds: z.object({ x: Int, y: Int, width: Int.min(1), height: Int.min(1) }),
  maximized: z.boolean(),
});

/** A window this much inside a display can be grabbed by its title bar and moved back. */
const MIN_VISIBLE = { width: 120, height: 48 };

/** The saved state, or undefined when there is none or it is damaged (then the window opens at the default place). */
export function loadWindowState(path: string): WindowState | undefined {
  try {
    const parsed = State.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically; a failure to save is only a lost window position, so it is reported, never thrown. */
export function saveWindowState(path: string, state: WindowState, onError: (message: string, error: unknown) => void) {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, `${JSON.stringify(state)}\n`);
    renameSync(`${path}.tmp`, path);
  } catch (error) {
    onError(`could not save the window position in ${path}`, error);
  }
}

/**
 * Where to open the window: the saved bounds when they are still on a
 * display (a monitor may have been unplugged or rearranged since), shrunk
 * to fit that display; otherwise no position (the OS centres it) at a size
 * that fits the primary display.
 */
export function placeWindow(
  saved: WindowState | undefined,
  workAreas: readonly Rect[],
): { bounds: Rect | undefined; size: { width: number; height: number }; maximized: boolean } {
  const primary = workAreas[0];
  const fit = (size: { width: number; height: number }, area: Rect | undefined) => ({
    width: Math.max(minimumWindowSize.width, Math.min(size.width, area?.width ?? size.width)),
    height: Math.max(minimumWindowSize.height, Math.min(size.height, area?.height ?? size.height)),
  });
  if (saved) {
    const area = workAreas.find((candidate) => visibleEnough(saved.bounds, candidate));
    if (area) {
      const size = fit(saved.bounds, area);
      const x = Math.min(Math.max(saved.bounds.x, area.x), area.x + area.width - size.width);
      const y = Math.min(Math.max(saved.bounds.y, area.y), area.y + area.height - size.height);
      return { bounds: { x, y, ...size }, size, maximized: saved.maximized };
    }
  }
  return { bounds: undefined, size: fit(defaultWindowSize, primary), maximized: saved?.maximized ?? false };
}

function visibleEnough(bounds: Rect, area: Rect): boolean {
  const width = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
  const height = Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y);
  return width >= MIN_VISIBLE.width && height >= MIN_VISIBLE.height;
}
