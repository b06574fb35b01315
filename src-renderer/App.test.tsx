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
    expect(text).toContain('open it from a broker (its web console) or in the desktop app');
    expect(text).toContain('fleetterm ls');
    expect(text).toContain('Web console (running in a browser, not the desktop app)');
  });

  it('shows the brokers screen in the desktop app, and asks it for its version', () => {
    const pending = () => new Promise<never>(() => {});
    const api = {
      getAppInfo: pending,
      listProfiles: pending,
      addProfile: pending,
      removeProfile: pending,
      signIn: pending,
      cancelSignIn: pending,
      getAccessToken: pending,
      signOut: pending,
      onCommand: () => () => {},
    } satisfies FleettermDesktopApi;
    const text = textOf(renderToStaticMarkup(<App desktopApi={api} />));
    expect(text).toContain('Brokers');
    expect(text).toContain('Add a broker');
    expect(text).toContain('Fleetterm desktop');
  });
});
