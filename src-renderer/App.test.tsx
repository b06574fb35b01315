import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FleettermDesktopApi } from '../common/desktopApi';
import { App } from './App';

/** Visible text of server-rendered markup. */
function textOf(markup: string): string {
  return markup
    .replace(/<[^>]+>/g, ' ')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the placeholder screen', () => {
  it('renders in a plain browser, where window.fleetterm does not exist', () => {
    const text = textOf(renderToStaticMarkup(<App desktopApi={undefined} />));
    expect(text).toContain('Fleetterm console: coming in the console issue. Meanwhile use the fleetterm command');
    expect(text).toContain('fleetterm ls');
    expect(text).toContain('Web console (running in a browser, not the desktop app)');
  });

  it('asks the desktop app for its version when the bridge exists', () => {
    const api: FleettermDesktopApi = { getAppInfo: () => new Promise(() => {}) };
    const markup = renderToStaticMarkup(<App desktopApi={api} />);
    expect(markup).toContain('<code>fleetterm</code>');
    expect(textOf(markup)).toContain('Fleetterm desktop');
  });
});
