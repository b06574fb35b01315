import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWindowState, placeWindow, saveWindowState } from './windowState';

const laptop = { x: 0, y: 0, width: 1440, height: 876 };
const external = { x: 1440, y: -200, width: 2560, height: 1400 };

describe('placeWindow', () => {
  it('restores bounds that are still on a display, and the maximized state', () => {
    const saved = { bounds: { x: 1600, y: 0, width: 1400, height: 900 }, maximized: true };
    expect(placeWindow(saved, [laptop, external])).toEqual({
      bounds: { x: 1600, y: 0, width: 1400, height: 900 },
      size: { width: 1400, height: 900 },
      maximized: true,
    });
  });

  it('centres the window on the primary display when its monitor is gone', () => {
    const saved = { bounds: { x: 1600, y: 0, width: 1400, height: 900 }, maximized: false };
    expect(placeWindow(saved, [laptop])).toEqual({
      bounds: undefined,
      size: { width: 1280, height: 800 },
      maximized: false,
    });
  });

  it('shrinks and pulls a window that hangs over the edge back onto its display', () => {
    const saved = { bounds: { x: 1000, y: 500, width: 3000, height: 2000 }, maximized: false };
    expect(placeWindow(saved, [laptop]).bounds).toEqual({ x: 0, y: 0, width: 1440, height: 876 });
    const corner = { bounds: { x: 1300, y: 800, width: 800, height: 600 }, maximized: false };
    expect(placeWindow(corner, [laptop]).bounds).toEqual({ x: 640, y: 276, width: 800, height: 600 });
  });

  it('treats a sliver on screen as gone: a title bar must be reachable', () => {
    const sliver = { bounds: { x: 1400, y: 0, width: 800, height: 600 }, maximized: false };
    expect(placeWindow(sliver, [laptop]).bounds).toBeUndefined();
  });

  it('fits the default size to a small primary display, never below the minimum', () => {
    expect(placeWindow(undefined, [{ x: 0, y: 0, width: 1024, height: 600 }]).size).toEqual({
      width: 1024,
      height: 600,
    });
    expect(placeWindow(undefined, [{ x: 0, y: 0, width: 320, height: 240 }]).size).toEqual({ width: 640, height: 400 });
  });
});

describe('loadWindowState and saveWindowState', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetterm-window-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips the state, and reads a missing or damaged file as none', () => {
    const path = join(dir, 'window-state.json');
    expect(loadWindowState(path)).toBeUndefined();
    const state = { bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: false };
    saveWindowState(path, state, () => {});
    expect(loadWindowState(path)).toEqual(state);
    writeFileSync(path, '{"bounds": {"x": "a"}}');
    expect(loadWindowState(path)).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toContain('"a"');
  });

  it('reports a failed save instead of throwing', () => {
    const errors: string[] = [];
    saveWindowState(
      join(dir, 'missing', '\0bad'),
      { bounds: { x: 0, y: 0, width: 1, height: 1 }, maximized: false },
      (m) => errors.push(m),
    );
    expect(errors).toHaveLength(1);
  });
});
