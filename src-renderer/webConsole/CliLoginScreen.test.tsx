import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CliLoginScreen, readCliLoginRequest } from './CliLoginScreen';

const query = (extra = '') =>
  `?redirect_uri=${encodeURIComponent('http://127.0.0.1:5123/callback')}&code_challenge=abc&code_challenge_method=S256&state=s1${extra}`;

describe('the loopback sign-in page', () => {
  it('reads the request and who asks, and refuses an incomplete or non-S256 one', () => {
    expect(readCliLoginRequest(query())).toEqual({
      redirectUri: 'http://127.0.0.1:5123/callback',
      codeChallenge: 'abc',
      state: 's1',
      client: 'cli',
    });
    expect(readCliLoginRequest(query('&client=desktop'))?.client).toBe('desktop');
    expect(readCliLoginRequest(query().replace('S256', 'plain'))).toBeUndefined();
    expect(readCliLoginRequest('?state=s1')).toBeUndefined();
  });

  it('names the command or the desktop app that waits on this computer', () => {
    const render = (search: string) =>
      renderToStaticMarkup(<CliLoginScreen request={readCliLoginRequest(search)} redirect={() => {}} />);
    expect(render(query())).toContain('Sign in the fleetterm command');
    expect(render(query('&client=desktop'))).toContain(
      'The Fleetterm desktop app on this computer (waiting at 127.0.0.1:5123)',
    );
    expect(render('')).toContain('the address it was opened with is incomplete');
  });
});
