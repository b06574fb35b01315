import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../store/settingsSlice';
import { formatColorRules, parseColorRules, parseSelector, tabColor } from './tabColor';

describe('tab colours', () => {
  const rules = DEFAULT_SETTINGS.tabColorRules;

  it('colours a tab with a production machine red by default, even among others', () => {
    expect(tabColor([{ env: 'staging' }, { env: 'prod', role: 'db' }], rules)).toBe('#d93025');
    expect(tabColor([{ env: 'staging' }, undefined], rules)).toBeUndefined();
  });

  it('takes the first rule that matches, and skips a rule whose selector does not parse', () => {
    const mine = [
      { selector: 'not a label', color: '#000000' },
      { selector: 'role=db, env=prod', color: '#1a73e8' },
      { selector: 'env=prod', color: '#d93025' },
    ];
    expect(tabColor([{ env: 'prod', role: 'db' }], mine)).toBe('#1a73e8');
    expect(tabColor([{ env: 'prod', role: 'web' }], mine)).toBe('#d93025');
  });

  it('reads selectors separated by spaces or commas, and says what is wrong with a bad one', () => {
    expect(parseSelector('env=prod role=web')).toEqual({ ok: true, value: { env: 'prod', role: 'web' } });
    expect(parseSelector(' ')).toMatchObject({ ok: false, error: expect.stringMatching(/env=prod/) });
    expect(parseSelector('prod')).toMatchObject({ ok: false, error: expect.stringMatching(/key=value/) });
  });
});

describe('tab colour rules as text', () => {
  it('reads one rule per line, skipping blank lines, and writes them back the same way', () => {
    const text = 'env=prod #d93025\n\nrole=db team=core #1A73E8\n';
    const parsed = parseColorRules(text);
    expect(parsed).toEqual({
      ok: true,
      rules: [
        { selector: 'env=prod', color: '#d93025' },
        { selector: 'role=db team=core', color: '#1A73E8' },
      ],
    });
    expect(parsed.ok && formatColorRules(parsed.rules)).toBe('env=prod #d93025\nrole=db team=core #1A73E8');
  });

  it('names the line that is wrong and why', () => {
    expect(parseColorRules('env=prod #d93025\nenv=dev red')).toEqual({
      ok: false,
      message: 'line 2: write a selector and a colour, like env=prod #d93025',
    });
    expect(parseColorRules('prod #d93025')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 1: .*key=value/),
    });
  });
});
