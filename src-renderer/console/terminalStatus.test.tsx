import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { sanitizePaste } from './sanitizePaste';
import { TerminalStatusBar } from './TerminalStatusBar';
import { describeStatus, type PaneStatus } from './terminalStatus';

const noop = () => {};

function bar(status: PaneStatus, now = 0): string {
  return renderToStaticMarkup(<TerminalStatusBar status={status} now={now} onReconnect={noop} onRestart={noop} />);
}

describe('the pane status in words', () => {
  it('counts down to the next reconnect attempt when it is known', () => {
    expect(describeStatus({ kind: 'reconnecting', retryAt: 4_200 }, 1_000)).toBe(
      'Connection lost: reconnecting in 4 s',
    );
    expect(describeStatus({ kind: 'reconnecting', retryAt: 1_000 }, 1_000)).toBe('Connection lost: reconnecting now…');
    expect(describeStatus({ kind: 'reconnecting' }, 0)).toBe('Connection lost: reconnecting…');
  });

  it('gives the reason of a disconnect, and says to sign in again when the credential was refused', () => {
    expect(describeStatus({ kind: 'disconnected', code: 'MACHINE_OFFLINE', reason: 'web-1 is offline' }, 0)).toBe(
      'Disconnected: web-1 is offline',
    );
    expect(describeStatus({ kind: 'disconnected', code: 'UNAUTHORIZED', reason: 'the token was refused' }, 0)).toBe(
      'Disconnected: the token was refused. Sign in again, then reconnect.',
    );
  });

  it('gives the exit code, or the signal', () => {
    expect(describeStatus({ kind: 'exited', code: 0, signal: null }, 0)).toBe('The shell exited with code 0');
    expect(describeStatus({ kind: 'exited', code: null, signal: 'SIGKILL' }, 0)).toBe(
      'The shell exited by signal SIGKILL',
    );
    expect(describeStatus({ kind: 'exited', code: null, signal: 'SIGHUP', reason: 'idle for 30 min' }, 0)).toBe(
      'The shell exited by signal SIGHUP (idle for 30 min)',
    );
  });
});

describe('the status bar', () => {
  it('offers Reconnect when disconnected and Restart when the shell exited, nothing while connected', () => {
    expect(bar({ kind: 'disconnected', code: 'LINK_CLOSED', reason: 'gone' })).toContain('>Reconnect</button>');
    expect(bar({ kind: 'exited', code: 1, signal: null })).toContain('>Restart</button>');
    expect(bar({ kind: 'connected' })).not.toContain('<button');
    expect(bar({ kind: 'reconnecting', retryAt: 3_000 })).toContain('reconnecting in 3 s');
  });

  it('escapes whatever a remote side put into a reason', () => {
    expect(bar({ kind: 'disconnected', code: 'X', reason: '<img src=x onerror=alert(1)>' })).not.toContain('<img');
  });
});

describe('sanitizePaste', () => {
  it('removes bracketed-paste markers, also ones assembled from pieces and 8-bit ones', () => {
    expect(sanitizePaste('a\x1b[201~b\x1b[200~c')).toBe('abc');
    expect(sanitizePaste('x\x1b[2\x1b[201~01~y')).toBe('xy');
    expect(sanitizePaste('\x9b201~ok')).toBe('ok');
    expect(sanitizePaste('plain\ntext\x1b[31m')).toBe('plain\ntext\x1b[31m');
  });
});
