import { describe, expect, it } from 'vitest';
import { agentUser, lookupUser, parsePasswdLine, type LoginUser } from './loginUser';
import { prepareLaunch, SWITCHED_USER_PATH } from './shellLaunch';

const context = {
  machineName: 'web-1',
  sessionId: 'session-0001',
  operator: 'alice',
  shellOverride: undefined,
  agentEnv: { PATH: '/opt/agent/bin:/usr/bin', LANG: 'C.UTF-8', SECRET_TOKEN: 'x', SHELL: '/bin/sh' },
};

describe('the shell a session starts', () => {
  it('gets a clean login environment with the Fleetterm variables', () => {
    const self = lookupUser(agentUser())!;
    const launch = prepareLaunch({ ...self, shell: '/bin/bash' }, context);
    expect(launch.ok && launch.value.env).toEqual({
      HOME: self.home,
      USER: self.name,
      LOGNAME: self.name,
      SHELL: '/bin/bash',
      PATH: '/opt/agent/bin:/usr/bin',
      LANG: 'C.UTF-8',
      TERM: 'xterm-256color',
      FLEETTERM_MACHINE: 'web-1',
      FLEETTERM_SESSION: 'session-0001',
      FLEETTERM_OPERATOR: 'alice',
    });
    expect(launch.ok && launch.value.switchUser).toBe(false);
  });

  it('gives another user a standard PATH (not the agent’s), starts in its home or /, as that user', () => {
    const other: LoginUser = { name: 'nobody-here', uid: 4242, gid: 4242, home: '/nonexistent', shell: '/bin/sh' };
    const launch = prepareLaunch(other, context);
    expect(launch.ok && launch.value).toMatchObject({ switchUser: true, cwd: '/', shell: '/bin/sh' });
    expect(launch.ok && launch.value.env.PATH).toBe(SWITCHED_USER_PATH);
  });

  it('prefers the config’s shell, then the passwd shell, then $SHELL, then /bin/sh', () => {
    const user: LoginUser = { name: 'x', uid: 1, gid: 1, home: '/', shell: '' };
    const shellOf = (override: string | undefined, agentEnv: NodeJS.ProcessEnv, shell = '') => {
      const launch = prepareLaunch({ ...user, shell }, { ...context, shellOverride: override, agentEnv });
      return launch.ok ? launch.value.shell : launch.error.code;
    };
    expect(shellOf('/bin/sh', {}, '/bin/bash')).toBe('/bin/sh');
    expect(shellOf(undefined, { SHELL: '/bin/sh' }, '/bin/bash')).toBe('/bin/bash');
    expect(shellOf(undefined, { SHELL: '/bin/bash' })).toBe('/bin/bash');
    expect(shellOf(undefined, {})).toBe('/bin/sh');
  });

  it('refuses with SPAWN_FAILED when the shell does not exist', () => {
    const user: LoginUser = { name: 'x', uid: 1, gid: 1, home: '/', shell: '/bin/no-such-shell' };
    const launch = prepareLaunch(user, context);
    expect(!launch.ok && launch.error).toMatchObject({
      code: 'SPAWN_FAILED',
      message: expect.stringContaining('/bin/no-such-shell'),
    });
  });
});

describe('login users', () => {
  it('parses passwd lines', () => {
    expect(parsePasswdLine('deploy:x:1001:1002:Deploy Bot:/home/deploy:/bin/bash')).toEqual({
      name: 'deploy',
      uid: 1001,
      gid: 1002,
      home: '/home/deploy',
      shell: '/bin/bash',
    });
    expect(parsePasswdLine('broken:x:abc:1:::')).toBeUndefined();
    expect(parsePasswdLine('#comment')).toBeUndefined();
  });

  it('finds the agent’s own user and users of the system database, and not unknown ones', () => {
    expect(lookupUser(agentUser())?.name).toBe(agentUser());
    expect(lookupUser('root')).toMatchObject({ uid: 0, gid: 0 });
    expect(lookupUser('no-such-user-here')).toBeUndefined();
  });
});
