import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MachinesScreen } from './MachinesScreen';
import type { MachinesState } from './store/machinesSlice';
import { createConsoleStore } from './store/consoleStore';
import { ConsoleStoreContext } from './store/useConsoleStore';
import { FLEET, machine } from './testMachines';

const now = Date.parse('2026-11-23T12:05:00.000Z');

function render(machines: Partial<MachinesState>, signInAgain = true) {
  const store = createConsoleStore({ fetchMachines: () => new Promise(() => {}), initialMachines: machines });
  return renderToStaticMarkup(
    <ConsoleStoreContext.Provider value={store}>
      <MachinesScreen
        onOpen={() => {}}
        onSplit={() => {}}
        onSignInAgain={signInAgain ? () => {} : undefined}
        now={now}
      />
    </ConsoleStoreContext.Provider>,
  );
}

const ready = (changes: Partial<MachinesState> = {}): Partial<MachinesState> => ({
  list: FLEET,
  status: 'ready',
  updatedAt: now - 2_000,
  ...changes,
});

describe('the machines screen', () => {
  it('says it is loading before the first answer', () => {
    expect(render({ status: 'loading' })).toContain('Loading machines…');
    expect(render({})).toContain('Loading machines…');
  });

  it('lists each machine with its labels, OS, state and open sessions', () => {
    const html = render(ready());
    expect(html).toContain('3 machines, 2 online · updated just now');
    expect(html).toContain('web-1');
    expect(html).toContain('env=prod');
    expect(html).toContain('role=web');
    expect(html).toContain('macOS');
    expect(html).toContain('db-1.lan');
    expect(html).toMatch(/machines__number">2</);
    expect(html).toContain('Online');
  });

  it('says when an offline machine was last seen, and offers no terminal there', () => {
    const html = render(ready());
    expect(html).toContain('last seen 5 minutes ago');
    expect(html).toMatch(
      /<button type="button" class="button--small machines__terminal" disabled="" aria-label="Terminal on web-2"/,
    );
    expect(html).toMatch(
      /<button type="button" class="button--small machines__terminal" aria-label="Terminal on web-1"/,
    );
    expect(render(ready({ list: [machine('new', { online: false, lastSeen: null })] }))).toContain('never connected');
  });

  it('applies the filter from the store and offers to clear it', () => {
    const filtered = render(ready({ filter: { query: '', label: 'role=db', os: '', state: 'all' } }));
    expect(filtered).toContain('db-1');
    expect(filtered).not.toContain('data-machine="web-1"');
    expect(filtered).toContain('Clear filters');
    const none = render(ready({ filter: { query: 'nothing', label: '', os: '', state: 'all' } }));
    expect(none).toContain('No machine matches these filters.');
  });

  it('offers every label and OS of the fleet as a filter', () => {
    const html = render(ready());
    expect(html).toContain('<option value="env=staging">env=staging</option>');
    expect(html).toContain('<option value="darwin">macOS</option>');
  });

  it('explains how to enrol a machine when there is none', () => {
    const html = render(ready({ list: [] }));
    expect(html).toContain('No machines yet.');
    expect(html).toContain('fleetterm-broker enroll-token create');
    expect(html).not.toContain('Search machines');
  });

  it('says what went wrong and offers to try again when nothing could be loaded', () => {
    const html = render({ status: 'error', error: { code: 'UNREACHABLE', message: 'the broker cannot be reached' } });
    expect(html).toContain('Could not load the machines: the broker cannot be reached.');
    expect(html).toContain('Try again');
  });

  it('asks to sign in again when the broker no longer accepts the sign-in', () => {
    const error = { code: 'UNAUTHORIZED', message: 'expired' };
    expect(render({ status: 'error', error })).toContain('Sign in again');
    expect(render(ready({ error }))).toContain('Your sign-in has ended, so this list no longer updates.');
  });

  it('keeps showing a list whose refresh failed, saying how old it is', () => {
    const html = render(ready({ error: { code: 'UNREACHABLE', message: 'down' }, updatedAt: now - 120_000 }));
    expect(html).toContain('Could not refresh the list (down); it shows what the broker said 2 minutes ago.');
    expect(html).toContain('web-1');
  });

  it('escapes what machines say about themselves', () => {
    const html = render(ready({ list: [machine('<b>x</b>', { labels: { note: '<img src=x>' } })] }));
    expect(html).not.toContain('<b>x</b>');
    expect(html).not.toContain('<img src=x>');
  });
});
