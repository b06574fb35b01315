import { describe, expect, it } from 'vitest';
import { formatLabels, matchesLabels, parseLabels } from './labels';

describe('labels', () => {
  it('parse k=v lists', () => {
    expect(parseLabels(['env=prod', 'role=web'])).toEqual({ ok: true, value: { env: 'prod', role: 'web' } });
  });

  it('refuse malformed labels with the expected form', () => {
    const parsed = parseLabels(['env']);
    expect(parsed).toMatchObject({ ok: false });
    if (!parsed.ok) expect(parsed.error).toContain('key=value');
    expect(parseLabels(['bad key=x']).ok).toBe(false);
  });

  it('match selectors', () => {
    expect(matchesLabels({ env: 'prod', role: 'web' }, { env: 'prod' })).toBe(true);
    expect(matchesLabels({ env: 'prod' }, { env: 'prod', role: 'web' })).toBe(false);
    expect(matchesLabels({}, {})).toBe(true);
    expect(formatLabels({ env: 'prod', role: 'web' })).toBe('env=prod,role=web');
  });
});
