import { describe, expect, it } from 'vitest';
import { requestPath } from './requestPath';

describe('requestPath', () => {
  it('takes an origin-form target literally, without query or fragment', () => {
    expect(requestPath('/api/v1/health?x=1#y')).toBe('/api/v1/health');
    expect(requestPath('//')).toBe('//');
    expect(requestPath('//evil.example/ws/agent')).toBe('//evil.example/ws/agent');
    expect(requestPath(undefined)).toBe('/');
  });

  it('gives the path of an absolute-form target and undefined for anything else, without throwing', () => {
    expect(requestPath('http://broker/ws/console')).toBe('/ws/console');
    expect(requestPath('*')).toBeUndefined();
    expect(requestPath('http://[')).toBeUndefined();
    expect(requestPath('')).toBeUndefined();
  });
});
