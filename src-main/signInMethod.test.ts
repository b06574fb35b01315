import { describe, expect, it } from 'vitest';
import { resolveSignInMethod } from './signInMethod';

describe('resolveSignInMethod', () => {
  it('uses the app window on Windows and the system browser elsewhere by default', () => {
    expect(resolveSignInMethod('auto', 'win32')).toBe('window');
    expect(resolveSignInMethod('auto', 'darwin')).toBe('browser');
    expect(resolveSignInMethod('auto', 'linux')).toBe('browser');
  });

  it('follows the profile when it says which', () => {
    expect(resolveSignInMethod('window', 'linux')).toBe('window');
    expect(resolveSignInMethod('browser', 'win32')).toBe('browser');
  });
});
