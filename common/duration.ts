import { err, ok, type Result } from './result';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a human duration such as `90s`, `30m`, `8h`, `1h30m` or `250ms`
 * into milliseconds. A bare number is seconds. Used by config files and CLI
 * flags so both accept the same spellings.
 */
export function parseDuration(text: string): Result<number, string> {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return ok(Math.round(Number(trimmed) * 1000));
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    return err(`"${text}" is not a duration; write it like 90s, 30m, 8h or 1h30m`);
  }
  return ok(Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? 's'] ?? 0), 0)));
}

/** Formats milliseconds the way parseDuration reads them (largest units first). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const order: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = Math.round(ms / 1000) * 1000;
  let out = '';
  for (const [unit, size] of order) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
