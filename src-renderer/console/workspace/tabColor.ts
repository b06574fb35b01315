import { matchesLabels, parseLabels, type Labels } from '../../../common/labels';
import { err, type Result } from '../../../common/result';
import type { TabColorRule } from '../store/settingsSlice';

/** Reads a selector as typed in the settings: `env=prod`, or several labels separated by spaces or commas. */
export function parseSelector(text: string): Result<Labels, string> {
  const parts = text.split(/[\s,]+/).filter((part) => part !== '');
  if (parts.length === 0) return err('write at least one label, for example env=prod');
  return parseLabels(parts);
}

/**
 * A tab's colour: the first rule that matches any of its machines, so a tab
 * with one production pane among staging ones is still marked production.
 */
export function tabColor(
  machines: ReadonlyArray<Labels | undefined>,
  rules: readonly TabColorRule[],
): string | undefined {
  for (const rule of rules) {
    const selector = parseSelector(rule.selector);
    if (!selector.ok) continue;
    if (machines.some((labels) => labels !== undefined && matchesLabels(labels, selector.value))) {
      return rule.color;
    }
  }
  return undefined;
}

/** `env=prod #d93025` per line ↔ rules; says which line is wrong. */
export function parseColorRules(text: string): { ok: true; rules: TabColorRule[] } | { ok: false; message: string } {
  const rules: TabColorRule[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const match = /^(.*\S)\s+(#[0-9a-fA-F]{6})\s*$/.exec(line.trim());
    if (!match)
      return { ok: false, message: `line ${index + 1}: write a selector and a colour, like env=prod #d93025` };
    const selector = parseSelector(match[1]!);
    if (!selector.ok) return { ok: false, message: `line ${index + 1}: ${selector.error}` };
    rules.push({ selector: match[1]!, color: match[2]! });
  }
  return { ok: true, rules };
}

/** Rules as the settings form shows them, one per line. */
export function formatColorRules(rules: readonly TabColorRule[]): string {
  return rules.map((rule) => `${rule.selector} ${rule.color}`).join('\n');
}
