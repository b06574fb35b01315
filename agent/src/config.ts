import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../../common/duration';
import {
  COALESCE_MAX_BYTES,
  DEFAULT_REPLAY_BUFFER_BYTES,
  DEFAULT_RESUME_GRACE_MS,
  FLOW_HIGH_WATERMARK_BYTES,
  HEARTBEAT_TIMEOUT_MS,
} from '../../common/protocol';
import { err, ok, type Result } from '../../common/result';

/** setTimeout's largest delay (2^31 − 1 ms, about 24.8 days); longer ones would fire at once. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** A duration as `"30m"`, `"90s"`, `"1h30m"`, `"250ms"` or a number of seconds, in ms, at least `minMs`. */
function duration(minMs = 0) {
  return z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
    const parsed = typeof value === 'number' ? ok(Math.round(value * 1000)) : parseDuration(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    if (parsed.value < minMs || parsed.value > MAX_DURATION_MS) {
      const range = `from ${formatDuration(minMs)} to ${formatDuration(MAX_DURATION_MS)}`;
      ctx.addIssue({ code: 'custom', message: range });
      return z.NEVER;
    }
    return parsed.value;
  });
}

/** POSIX portable user names (what `useradd` accepts by default). */
const loginUser = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$/);

/** Replay must hold every unacknowledged byte: the flow-control window plus one coalesced frame. */
export const MIN_REPLAY_BUFFER_BYTES = FLOW_HIGH_WATERMARK_BYTES + COALESCE_MAX_BYTES;
const MAX_REPLAY_BUFFER_BYTES = 64 * 1024 * 1024;
/** The hello lists every session; its schema holds at most 1024. */
const MAX_SHELLS = 1024;

/** The agent's config file (JSON). Every key is optional; the README has the reference. */
export const AgentConfigFile = z.strictObject({
  remote_shell: z.boolean().default(true),
  max_shells: z.number().int().min(1).max(MAX_SHELLS).default(16),
  max_shells_per_operator: z.number().int().min(1).max(MAX_SHELLS).default(4),
  idle_timeout: duration().default(30 * 60_000),
  max_session_lifetime: duration().default(12 * 3_600_000),
  resume_grace: duration().default(DEFAULT_RESUME_GRACE_MS),
  replay_buffer_bytes: z
    .number()
    .int()
    .min(MIN_REPLAY_BUFFER_BYTES)
    .max(MAX_REPLAY_BUFFER_BYTES)
    .default(DEFAULT_REPLAY_BUFFER_BYTES),
  login_users: z.array(loginUser).min(1).max(256).optional(),
  default_login_user: loginUser.optional(),
  shell: z.string().startsWith('/').max(4096).optional(),
  reconnect_max_delay: duration(100).default(30_000),
  heartbeat_timeout: duration(1000).default(HEARTBEAT_TIMEOUT_MS),
});
type ConfigKey = keyof typeof AgentConfigFile.shape;

/** What each key expects, for error messages that say how to fix the file. */
const EXPECTED: Record<ConfigKey, string> = {
  remote_shell: 'true or false',
  max_shells: `a whole number from 1 to ${MAX_SHELLS}`,
  max_shells_per_operator: `a whole number from 1 to ${MAX_SHELLS}`,
  idle_timeout: 'a duration such as "30m" or a number of seconds (0 turns it off)',
  max_session_lifetime: 'a duration such as "12h" or a number of seconds (0 turns it off)',
  resume_grace: 'a duration such as "5m" or a number of seconds',
  replay_buffer_bytes: `a whole number of bytes from ${MIN_REPLAY_BUFFER_BYTES} (the flow-control window plus one frame) to ${MAX_REPLAY_BUFFER_BYTES}`,
  login_users: 'a non-empty list of user names such as ["alice", "deploy"]',
  default_login_user: 'a user name such as "alice"',
  shell: 'an absolute path such as "/bin/bash"',
  reconnect_max_delay: 'a duration such as "30s" or a number of seconds, at least 100ms',
  heartbeat_timeout: 'a duration such as "45s" or a number of seconds, at least 1s',
};

export interface AgentConfig {
  remoteShell: boolean;
  maxShells: number;
  maxShellsPerOperator: number;
  /** 0 turns the timeout off. */
  idleTimeoutMs: number;
  /** 0 turns the limit off. */
  maxSessionLifetimeMs: number;
  resumeGraceMs: number;
  replayBufferBytes: number;
  /** Undefined: only the default login user (the agent's own user unless set). */
  loginUsers: string[] | undefined;
  /** Undefined: the agent's own user. */
  defaultLoginUser: string | undefined;
  /** Undefined: the login user's shell from the passwd database, else $SHELL, else /bin/sh. */
  shell: string | undefined;
  reconnectMaxDelayMs: number;
  heartbeatTimeoutMs: number;
}

function toAgentConfig(file: z.infer<typeof AgentConfigFile>): AgentConfig {
  return {
    remoteShell: file.remote_shell,
    maxShells: file.max_shells,
    maxShellsPerOperator: file.max_shells_per_operator,
    idleTimeoutMs: file.idle_timeout,
    maxSessionLifetimeMs: file.max_session_lifetime,
    resumeGraceMs: file.resume_grace,
    replayBufferBytes: file.replay_buffer_bytes,
    loginUsers: file.login_users,
    defaultLoginUser: file.default_login_user,
    shell: file.shell,
    reconnectMaxDelayMs: file.reconnect_max_delay,
    heartbeatTimeoutMs: file.heartbeat_timeout,
  };
}

export const DEFAULT_CONFIG: AgentConfig = toAgentConfig(AgentConfigFile.parse({}));

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Validates parsed JSON; each error names the source, the key and what it expects. */
export function parseConfig(json: unknown, source: string): Result<AgentConfig, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return err(`${source}: the config must be a JSON object such as {"max_shells": 8}`);
  }
  const parsed = AgentConfigFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => `"${k}"`).join(', ');
        return `unknown key ${keys} (known keys: ${Object.keys(EXPECTED).join(', ')})`;
      }
      const key = String(issue.path[0]) as ConfigKey;
      const given = describeValue((json as Record<string, unknown>)[key]);
      const detail = issue.code === 'custom' ? ` (${issue.message})` : '';
      return `"${key}" must be ${EXPECTED[key]}, not ${given}${detail}`;
    });
    return err(`${source}: ${[...new Set(problems)].join('; ')}`);
  }
  const config = toAgentConfig(parsed.data);
  if (config.loginUsers && config.defaultLoginUser && !config.loginUsers.includes(config.defaultLoginUser)) {
    return err(
      `${source}: "default_login_user" "${config.defaultLoginUser}" must be one of "login_users" (${config.loginUsers.join(', ')})`,
    );
  }
  return ok(config);
}

/** Reads the config file; no path means the defaults. */
export async function loadConfig(path?: string): Promise<Result<AgentConfig, string>> {
  if (path === undefined) return ok(DEFAULT_CONFIG);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return err(`cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(json, path);
}

/** For logs: the limits in force, in the file's own spelling. */
export function describeConfig(config: AgentConfig): Record<string, unknown> {
  return {
    remote_shell: config.remoteShell,
    max_shells: config.maxShells,
    max_shells_per_operator: config.maxShellsPerOperator,
    idle_timeout: config.idleTimeoutMs === 0 ? 'off' : formatDuration(config.idleTimeoutMs),
    max_session_lifetime: config.maxSessionLifetimeMs === 0 ? 'off' : formatDuration(config.maxSessionLifetimeMs),
    resume_grace: formatDuration(config.resumeGraceMs),
    login_users: config.loginUsers ?? [config.defaultLoginUser ?? 'the agent’s own user'],
  };
}
