/**
 * A tab's panes as a split tree: a leaf is one pane, a split lays its
 * children side by side ('row', split right) or one above the other
 * ('column', split down). Pure functions over immutable values, so the
 * store can keep layouts and the workspace file can save them.
 */
export type SplitDirection = 'row' | 'column';

export type PaneLayout =
  { kind: 'pane'; paneId: string } | { kind: 'split'; direction: SplitDirection; children: PaneLayout[] };

export function leaf(paneId: string): PaneLayout {
  return { kind: 'pane', paneId };
}

/** The panes in reading order (left to right, top to bottom). */
export function panesOf(layout: PaneLayout): string[] {
  return layout.kind === 'pane' ? [layout.paneId] : layout.children.flatMap(panesOf);
}

/**
 * Puts `newPaneId` right after `paneId` in `direction`. Inside a split of
 * the same direction the new pane becomes a sibling (three columns, not
 * nested halves), as in Windows Terminal and VS Code.
 */
export function splitPane(
  layout: PaneLayout,
  paneId: string,
  newPaneId: string,
  direction: SplitDirection,
): PaneLayout {
  if (layout.kind === 'pane') {
    return layout.paneId === paneId ? { kind: 'split', direction, children: [layout, leaf(newPaneId)] } : layout;
  }
  const index = layout.children.findIndex((child) => child.kind === 'pane' && child.paneId === paneId);
  if (index >= 0 && layout.direction === direction) {
    const children = [...layout.children];
    children.splice(index + 1, 0, leaf(newPaneId));
    return { ...layout, children };
  }
  return { ...layout, children: layout.children.map((child) => splitPane(child, paneId, newPaneId, direction)) };
}

/** The layout without `paneId`; undefined when it was the last pane. A split left with one child becomes that child. */
export function removePane(layout: PaneLayout, paneId: string): PaneLayout | undefined {
  if (layout.kind === 'pane') return layout.paneId === paneId ? undefined : layout;
  const children = layout.children
    .map((child) => removePane(child, paneId))
    .filter((child): child is PaneLayout => child !== undefined);
  if (children.length === 0) return undefined;
  if (children.length === 1) return children[0];
  return { ...layout, children };
}

/** The pane after (or before) `paneId` in reading order, wrapping around. */
export function neighbourPane(layout: PaneLayout, paneId: string, step: 1 | -1): string {
  const panes = panesOf(layout);
  const index = panes.indexOf(paneId);
  if (index < 0) return panes[0] ?? paneId;
  return panes[(index + step + panes.length) % panes.length] ?? paneId;
}

/** Where a pane sits in its tab, as fractions of the tab's area (0–1). */
export interface PaneRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Each pane's place, splitting the area evenly. The workspace positions
 * panes from these instead of nesting elements, so a split or a close moves
 * terminals without remounting them (xterm and its session stay put).
 */
export function paneRects(
  layout: PaneLayout,
  area: PaneRect = { left: 0, top: 0, width: 1, height: 1 },
): Map<string, PaneRect> {
  if (layout.kind === 'pane') return new Map([[layout.paneId, area]]);
  const rects = new Map<string, PaneRect>();
  const count = layout.children.length;
  layout.children.forEach((child, index) => {
    const part: PaneRect =
      layout.direction === 'row'
        ? {
            left: area.left + (area.width * index) / count,
            top: area.top,
            width: area.width / count,
            height: area.height,
          }
        : {
            left: area.left,
            top: area.top + (area.height * index) / count,
            width: area.width,
            height: area.height / count,
          };
    for (const [paneId, rect] of paneRects(child, part)) rects.set(paneId, rect);
  });
  return rects;
}
