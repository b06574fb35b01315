import type { ErrorCode } from '../../common/protocol';
import { err, ok, type Result } from '../../common/result';
import type { AgentConfig } from './config';
import { agentUser, canSwitchUser, lookupUser, type LoginUser } from './loginUser';

/** Why the agent refuses a request: a catalog code and a message that names the setting and its value. */
export interface Refusal {
  code: ErrorCode;
  message: string;
}

export interface OpenRequest {
  operator: string;
  loginUser?: string | undefined;
}

export interface AdmissionContext {
  config: AgentConfig;
  /** The operators of the sessions whose processes still run. */
  runningOperators: readonly string[];
  /** Injected by tests; the system's user database otherwise. */
  lookup?: (name: string) => LoginUser | undefined;
  self?: string;
  isRoot?: boolean;
  /** Injected by tests; process.platform otherwise. */
  platform?: NodeJS.Platform;
}

/** The login users the config allows: `login_users`, else the default login user alone. */
export function allowedLoginUsers(config: AgentConfig, self = agentUser()): string[] {
  return config.loginUsers ?? [config.defaultLoginUser ?? self];
}

/**
 * Decides whether a shell may be opened, in the order an operator can act
 * on: the machine allows remote shells at all, then the limits, then the
 * login user (allowed, startable by this agent, known to the system).
 */
export function admit(request: OpenRequest, context: AdmissionContext): Result<LoginUser, Refusal> {
  const { config, runningOperators } = context;
  if (!config.remoteShell) {
    return err({
      code: 'REMOTE_SHELL_DISABLED',
      message: 'remote shells are disabled on this machine (remote_shell = false in the agent config)',
    });
  }
  if (runningOperators.length >= config.maxShells) {
    return err({
      code: 'LIMIT_TOTAL_SHELLS',
      message: `this machine already runs ${runningOperators.length} shells, its limit (max_shells = ${config.maxShells}); close one first`,
    });
  }
  const mine = runningOperators.filter((operator) => operator === request.operator).length;
  if (mine >= config.maxShellsPerOperator) {
    return err({
      code: 'LIMIT_OPERATOR_SHELLS',
      message: `you already run ${mine} shells on this machine, its limit per operator (max_shells_per_operator = ${config.maxShellsPerOperator}); close one first`,
    });
  }
  const self = context.self ?? agentUser();
  const name = request.loginUser ?? config.defaultLoginUser ?? self;
  const allowed = allowedLoginUsers(config, self);
  if (!allowed.includes(name)) {
    return err({
      code: 'LOGIN_USER_NOT_ALLOWED',
      message: `this machine allows shells as ${allowed.join(', ')} (login_users in the agent config), not as ${name}`,
    });
  }
  // node-pty spawns with posix_spawn on macOS and ignores uid and gid: the shell would run as the agent (root).
  if (name !== self && (context.platform ?? process.platform) === 'darwin') {
    return err({
      code: 'LOGIN_USER_NOT_ALLOWED',
      message: `on macOS the agent can start shells only as the user it runs as (${self}), not as ${name}`,
    });
  }
  if (name !== self && !(context.isRoot ?? canSwitchUser())) {
    return err({
      code: 'LOGIN_USER_NOT_ALLOWED',
      message: `the agent runs as ${self}, not root, so it can start shells only as ${self}, not as ${name}`,
    });
  }
  const user = (context.lookup ?? lookupUser)(name);
  if (!user) return err({ code: 'LOGIN_USER_UNKNOWN', message: `there is no user ${name} on this machine` });
  return ok(user);
}
