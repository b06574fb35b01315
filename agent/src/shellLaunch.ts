import { accessSync, constants, statSync } from 'node:fs';
import { err, ok, type Result } from '../../common/result';
import { agentUser, type LoginUser } from './loginUser';
import type { EndReason } from './ptySession';

/** Everything a PTY needs to start a login user's shell. */
export interface ShellLaunch {
  user: LoginUser;
  /** The agent runs as root and starts the shell as someone else. */
  switchUser: boolean;
  shell: string;
  cwd: string;
  env: Record<string, string>;
}

export interface LaunchContext {
  machineName: string;
  sessionId: string;
  operator: string;
  /** The `shell` override from the agent config. */
  shellOverride: string | undefined;
  /** The agent's own environment (tests pass their own). */
  agentEnv?: NodeJS.ProcessEnv;
}

/**
 * PATH for shells started as another user: the agent's own PATH is not
 * theirs to inherit. Login shells usually extend it from /etc/profile; this
 * is what Debian's login.defs gives root (ENV_SUPATH), which also covers
 * ordinary users' commands.
 */
export const SWITCHED_USER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Chooses the shell (the config's override, else the user's shell from the
 * passwd database, else $SHELL, else /bin/sh), the working directory (the
 * home, or `/` when it does not exist, as login(1) does) and a clean login
 * environment: nothing of the agent's own environment leaks into the shell
 * but LANG and, for the agent's own user, PATH.
 */
export function prepareLaunch(user: LoginUser, context: LaunchContext): Result<ShellLaunch, EndReason> {
  const agentEnv = context.agentEnv ?? process.env;
  const self = user.name === agentUser();
  const shell = context.shellOverride || user.shell || agentEnv.SHELL || '/bin/sh';
  if (!isExecutable(shell)) {
    return err({
      code: 'SPAWN_FAILED',
      message: `the shell ${shell} for ${user.name} is missing or not executable; install it or set "shell" in the agent config`,
    });
  }
  const env: Record<string, string> = {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    SHELL: shell,
    PATH: self ? (agentEnv.PATH ?? SWITCHED_USER_PATH) : SWITCHED_USER_PATH,
    TERM: 'xterm-256color',
    FLEETTERM_MACHINE: context.machineName,
    FLEETTERM_SESSION: context.sessionId,
    FLEETTERM_OPERATOR: context.operator,
  };
  if (agentEnv.LANG) env.LANG = agentEnv.LANG;
  return ok({ user, switchUser: !self, shell, cwd: isDirectory(user.home) ? user.home : '/', env });
}
