import { err, ok, type Result } from './result';

/** Machine labels: small string maps such as `{ env: 'prod', os: 'linux' }`. */
export type Labels = Record<string, string>;

const KEY = /^[a-z0-9]([a-z0-9._/-]{0,62}[a-z0-9])?$/i;
const VALUE = /^[a-z0-9._:/@-]{0,128}$/i;

/** Parses `k=v` as written on command lines. */
export function parseLabel(text: string): Result<[string, string], string> {
  const eq = text.indexOf('=');
  if (eq <= 0) return err(`label "${text}" must be written key=value, for example env=prod`);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (!KEY.test(key)) {
    return err(
      `label key "${key}" may use letters, digits and . _ / - (at most 64, starting and ending with a letter or digit)`,
    );
  }
  if (!VALUE.test(value)) return err(`label value "${value}" may use letters, digits and . _ : / @ - (at most 128)`);
  return ok([key, value]);
}

/** Parses a list of `k=v` into labels; a repeated key keeps the last value. */
export function parseLabels(texts: readonly string[]): Result<Labels, string> {
  const labels: Labels = {};
  for (const text of texts) {
    const parsed = parseLabel(text);
    if (!parsed.ok) return parsed;
    labels[parsed.value[0]] = parsed.value[1];
  }
  return ok(labels);
}

/** True when every `key=value` of the selector is on the machine. */
export function matchesLabels(labels: Labels, selector: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export function formatLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
