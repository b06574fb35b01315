import { describe, expect, it } from 'vitest';
import { leaf, neighbourPane, paneRects, panesOf, removePane, splitPane } from './paneLayout';

describe('pane layouts', () => {
  it('splits a single pane into two, in the direction asked', () => {
    expect(splitPane(leaf('a'), 'a', 'b', 'row')).toEqual({
      kind: 'split',
      direction: 'row',
      children: [leaf('a'), leaf('b')],
    });
  });

  it('adds a sibling when splitting again in the same direction, and nests across directions', () => {
    const two = splitPane(leaf('a'), 'a', 'b', 'row');
    const three = splitPane(two, 'a', 'c', 'row');
    expect(panesOf(three)).toEqual(['a', 'c', 'b']);
    expect(three.kind === 'split' && three.children).toHaveLength(3);
    const nested = splitPane(three, 'b', 'd', 'column');
    expect(nested).toEqual({
      kind: 'split',
      direction: 'row',
      children: [leaf('a'), leaf('c'), { kind: 'split', direction: 'column', children: [leaf('b'), leaf('d')] }],
    });
  });

  it('leaves the layout alone when the pane is not in it', () => {
    const layout = splitPane(leaf('a'), 'a', 'b', 'row');
    expect(splitPane(layout, 'zzz', 'c', 'column')).toEqual(layout);
  });

  it('removes a pane and collapses a split left with one child; the last pane leaves nothing', () => {
    const layout = splitPane(splitPane(leaf('a'), 'a', 'b', 'row'), 'b', 'c', 'column');
    expect(removePane(layout, 'c')).toEqual({ kind: 'split', direction: 'row', children: [leaf('a'), leaf('b')] });
    expect(removePane(removePane(layout, 'c')!, 'a')).toEqual(leaf('b'));
    expect(removePane(leaf('a'), 'a')).toBeUndefined();
  });

  it('finds the next and previous pane in reading order, wrapping around', () => {
    const layout = splitPane(splitPane(leaf('a'), 'a', 'b', 'row'), 'b', 'c', 'column');
    expect(neighbourPane(layout, 'a', 1)).toBe('b');
    expect(neighbourPane(layout, 'c', 1)).toBe('a');
    expect(neighbourPane(layout, 'a', -1)).toBe('c');
  });
});

describe('pane rectangles', () => {
  it('divides the area evenly along each split', () => {
    const layout = splitPane(splitPane(leaf('a'), 'a', 'b', 'row'), 'b', 'c', 'column');
    const rects = paneRects(layout);
    expect(rects.get('a')).toEqual({ left: 0, top: 0, width: 0.5, height: 1 });
    expect(rects.get('b')).toEqual({ left: 0.5, top: 0, width: 0.5, height: 0.5 });
    expect(rects.get('c')).toEqual({ left: 0.5, top: 0.5, width: 0.5, height: 0.5 });
  });
});
