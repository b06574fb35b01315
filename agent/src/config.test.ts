import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig, MIN_REPLAY_BUFFER_BYTES, parseConfig } from './config';

const dir = mkdtempSync(join(tmpdir(), 'fleetterm-agent-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problem(json: unknown): string {
  const parsed = parseConfig(json, 'agent.json');
  if (parsed.ok) throw new Error('expected the config to be refused');
  return parsed.error;
}

describe('agent config', () => {
  it('has documented defaults for every key', () => {
    expect(DEFAULT_CONFIG).toEqual({
      remoteShell: true,
      maxShells: 16,
      maxShellsPerOperator: 4,
      idleTimeoutMs: 30 * 60_000,
      maxSessionLifetimeMs: 12 * 3_600_000,
      resumeGraceMs: 5 * 60_000,
      replayBufferBytes: 2 * 1024 * 1024,
      loginUsers: undefined,
      defaultLoginUser: undefined,
      shell: undefined,
      reconnectMaxDelayMs: 30_000,
      heartbeatTimeoutMs: 45_000,
    });
  });

  it('uses the defaults without a file', async () => {
    expect(await loadConfig()).toEqual({ ok: true, value: DEFAULT_CONFIG });
  });

  it('reads durations as strings or as numbers of seconds', () => {
    const parsed = parseConfig(
      { idle_timeout: '300ms', max_session_lifetime: '1h30m', resume_grace: 90, heartbeat_timeout: 2.5 },
      'agent.json',
    );
    expect(parsed.ok && parsed.value).toMatchObject({
      idleTimeoutMs: 300,
      maxSessionLifetimeMs: 90 * 60_000,
      resumeGraceMs: 90_000,
      heartbeatTimeoutMs: 2500,
    });
  });

  it('reads a file with every key set', async () => {
    const path = file(
      'full.json',
      JSON.stringify({
        remote_shell: false,
        max_shells: 2,
        max_shells_per_operator: 1,
        idle_timeout: '10m',
        max_session_lifetime: 0,
        resume_grace: '1m',
        replay_buffer_bytes: 4 * 1024 * 1024,
        login_users: ['alice', 'deploy'],
        default_login_user: 'deploy',
        shell: '/bin/sh',
        reconnect_max_delay: '5s',
        heartbeat_timeout: '20s',
      }),
    );
    const loaded = await loadConfig(path);
    expect(loaded.ok && loaded.value).toMatchObject({
      remoteShell: false,
      maxShells: 2,
      maxSessionLifetimeMs: 0,
      loginUsers: ['alice', 'deploy'],
      defaultLoginUser: 'deploy',
      shell: '/bin/sh',
    });
  });

  it('refuses an unknown key, naming it and the known ones', () => {
    const message = problem({ max_shell: 3 });
    expect(message).toContain('agent.json');
    expect(message).toContain('unknown key "max_shell"');
    expect(message).toContain('max_shells');
  });

  it('names the file, the key and what it expects for a wrong value', () => {
    expect(problem({ max_shells: 'ten' })).toBe(
      'agent.json: "max_shells" must be a whole number from 1 to 1024, not "ten"',
    );
    expect(problem({ remote_shell: 'no' })).toContain('"remote_shell" must be true or false, not "no"');
    expect(problem({ idle_timeout: 'soon' })).toContain('"idle_timeout" must be a duration such as "30m"');
    expect(problem({ idle_timeout: 'soon' })).toContain('write it like 90s, 30m, 8h or 1h30m');
    expect(problem({ login_users: ['ok', 'not ok'] })).toContain(
      '"login_users" must be a non-empty list of user names',
    );
    expect(problem({ shell: 'bash' })).toContain('"shell" must be an absolute path');
    expect(problem({ heartbeat_timeout: '10ms' })).toContain('at least 1s');
  });

  it('refuses a replay buffer smaller than the flow-control window plus one frame', () => {
    expect(problem({ replay_buffer_bytes: 1024 })).toContain(`from ${MIN_REPLAY_BUFFER_BYTES}`);
    expect(parseConfig({ replay_buffer_bytes: MIN_REPLAY_BUFFER_BYTES }, 'agent.json').ok).toBe(true);
  });

  it('refuses durations that timers cannot hold', () => {
    expect(problem({ max_session_lifetime: '30d' })).toContain('"max_session_lifetime"');
  });

  it('refuses a default login user that login_users does not allow', () => {
    expect(problem({ login_users: ['alice'], default_login_user: 'bob' })).toContain(
      '"default_login_user" "bob" must be one of "login_users" (alice)',
    );
  });

  it('says which file is missing or not JSON', async () => {
    const missing = await loadConfig(join(dir, 'nope.json'));
    expect(!missing.ok && missing.error).toContain('nope.json: ENOENT');
    const broken = await loadConfig(file('broken.json', '{ "max_shells": '));
    expect(!broken.ok && broken.error).toContain('broken.json is not valid JSON');
    expect(problem([1, 2])).toContain('must be a JSON object');
  });
});
