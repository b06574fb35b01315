import type { Labels } from '../../../common/labels';

// Reading the JSON text columns (labels, lists). The broker writes them itself;
// a row edited by hand reads as empty rather than taking the broker down.

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON object of strings (labels, selectors); `{}` for anything else. */
export function readLabelsColumn(text: string): Labels {
  const value = parse(text);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Labels) : {};
}

/** A JSON array of strings; other items are left out, and anything else reads as `[]`. */
export function readStringListColumn(text: string): string[] {
  const value = parse(text);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
