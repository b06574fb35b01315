import { describe, expect, it } from 'vitest';
import { admit, allowedLoginUsers, type AdmissionContext } from './admission';
import { DEFAULT_CONFIG, type AgentConfig } from './config';
import type { LoginUser } from './loginUser';

const users: Record<string, LoginUser> = {
  agent: { name: 'agent', uid: 1000, gid: 1000, home: '/home/agent', shell: '/bin/bash' },
  deploy: { name: 'deploy', uid: 1001, gid: 1001, home: '/home/deploy', shell: '/bin/sh' },
};

function context(config: Partial<AgentConfig>, extra: Partial<AdmissionContext> = {}): AdmissionContext {
  return {
    config: { ...DEFAULT_CONFIG, ...config },
    runningOperators: [],
    lookup: (name) => users[name],
    self: 'agent',
    isRoot: false,
    platform: 'linux',
    ...extra,
  };
}

function refusal(request: { operator: string; loginUser?: string }, ctx: AdmissionContext) {
  const result = admit(request, ctx);
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

describe('admission of a new shell', () => {
  it('admits the agent’s own user by default', () => {
    expect(admit({ operator: 'alice' }, context({}))).toEqual({ ok: true, value: users.agent });
  });

  it('refuses everything when remote_shell is false', () => {
    expect(refusal({ operator: 'alice' }, context({ remoteShell: false }))).toEqual({
      code: 'REMOTE_SHELL_DISABLED',
      message: 'remote shells are disabled on this machine (remote_shell = false in the agent config)',
    });
  });

  it('refuses the shell past max_shells, naming the limit and its value', () => {
    const ctx = context({ maxShells: 2 }, { runningOperators: ['alice', 'bob'] });
    expect(refusal({ operator: 'carol' }, ctx)).toMatchObject({
      code: 'LIMIT_TOTAL_SHELLS',
      message: expect.stringContaining('max_shells = 2'),
    });
  });

  it('refuses an operator past max_shells_per_operator, naming the limit and its value', () => {
    const ctx = context({ maxShellsPerOperator: 1 }, { runningOperators: ['alice'] });
    expect(refusal({ operator: 'alice' }, ctx)).toMatchObject({
      code: 'LIMIT_OPERATOR_SHELLS',
      message: expect.stringContaining('max_shells_per_operator = 1'),
    });
    expect(admit({ operator: 'bob' }, ctx).ok).toBe(true);
  });

  it('refuses a login user that login_users does not list', () => {
    expect(refusal({ operator: 'alice', loginUser: 'root' }, context({}))).toEqual({
      code: 'LOGIN_USER_NOT_ALLOWED',
      message: 'this machine allows shells as agent (login_users in the agent config), not as root',
    });
  });

  it('refuses other users when the agent does not run as root, and admits them when it does', () => {
    const config = { loginUsers: ['agent', 'deploy'] };
    expect(refusal({ operator: 'alice', loginUser: 'deploy' }, context(config))).toMatchObject({
      code: 'LOGIN_USER_NOT_ALLOWED',
      message: expect.stringContaining('not root'),
    });
    expect(admit({ operator: 'alice', loginUser: 'deploy' }, context(config, { isRoot: true }))).toEqual({
      ok: true,
      value: users.deploy,
    });
  });

  it('refuses other users on macOS even as root: node-pty would start their shell as the agent’s user', () => {
    const ctx = context({ loginUsers: ['agent', 'deploy'] }, { isRoot: true, platform: 'darwin' });
    expect(refusal({ operator: 'alice', loginUser: 'deploy' }, ctx)).toEqual({
      code: 'LOGIN_USER_NOT_ALLOWED',
      message: 'on macOS the agent can start shells only as the user it runs as (agent), not as deploy',
    });
    expect(admit({ operator: 'alice', loginUser: 'agent' }, ctx)).toEqual({ ok: true, value: users.agent });
  });

  it('refuses an allowed user that does not exist on the machine', () => {
    const ctx = context({ loginUsers: ['ghost'], defaultLoginUser: 'ghost' }, { isRoot: true });
    expect(refusal({ operator: 'alice' }, ctx)).toEqual({
      code: 'LOGIN_USER_UNKNOWN',
      message: 'there is no user ghost on this machine',
    });
  });

  it('allows the default login user alone when login_users is not set', () => {
    expect(allowedLoginUsers({ ...DEFAULT_CONFIG, defaultLoginUser: 'deploy' }, 'agent')).toEqual(['deploy']);
    expect(allowedLoginUsers(DEFAULT_CONFIG, 'agent')).toEqual(['agent']);
  });
});
