import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { WebConsole } from './WebConsole';

const render = (pathname: string, hash = '', search = '') =>
  renderToStaticMarkup(<WebConsole location={{ pathname, search, hash }} navigate={() => {}} />);

describe('the web console', () => {
  it('offers passkey sign-in by default', () => {
    expect(render('/')).toContain('Sign in with a passkey');
  });

  it('asks to sign in before showing the account page', () => {
    expect(render('/account')).toContain('Sign in with a passkey');
  });

  it('shows registration for a link with its secret, and says what is missing without one', () => {
    const withSecret = render('/register', '#fti_abc');
    expect(withSecret).toContain('Create your account');
    expect(withSecret).toContain('Create passkey and register');
    expect(render('/register')).toContain('This page needs the whole registration link, including the part after #.');
  });

  it('asks to confirm a command-line login, naming the loopback address it goes back to', () => {
    const search =
      '?redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcallback&code_challenge=abc&code_challenge_method=S256&state=s';
    expect(render('/cli-login', '', search)).toContain('waiting at 127.0.0.1:5555');
    expect(render('/cli-login', '', '?state=x')).toContain('the address it was opened with is incomplete');
  });
});
