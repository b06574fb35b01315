import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { WebConsole } from './WebConsole';

const render = (pathname: string, hash = '') =>
  renderToStaticMarkup(<WebConsole location={{ pathname, hash }} navigate={() => {}} />);

describe('the web console', () => {
  it('offers passkey sign-in by default', () => {
    expect(render('/')).toContain('Sign in with a passkey');
  });

  it('shows registration for a link with its secret, and says what is missing without one', () => {
    const withSecret = render('/register', '#fti_abc');
    expect(withSecret).toContain('Create your account');
    expect(withSecret).toContain('Create passkey and register');
    expect(render('/register')).toContain('This page needs the whole registration link, including the part after #.');
  });
});
