import { describe, expect, it } from 'vitest';
import type { ConnectionSettings } from './connection';
import type { ExecOptions } from './execCommand';
import { CliError } from './exitCodes';
import { runCli, type CommandRunners } from './program';
import type { ShellOptions } from './shellCommand';
import { Capture } from './testing';

const ENV = { FLEETTERM_TOKEN: 'ftk_from_env' };

/** Runs the CLI with runners that only record what they were asked. */
async function cli(argv: string[], env: Record<string, string | undefined> = ENV, result = 0) {
  const calls: Array<{ command: string; settings: ConnectionSettings; options: unknown }> = [];
  const record =
    <T>(command: string) =>
    async (settings: ConnectionSettings, options: T) => {
      calls.push({ command, settings, options });
      return result;
    };
  const runners: CommandRunners = {
    ls: record<{ json: boolean }>('ls'),
    shell: record<ShellOptions>('shell'),
    exec: record<ExecOptions>('exec'),
  };
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, runners, { stdout, stderr, env });
  return { code, calls, call: calls[0], stdout: stdout.text, stderr: stderr.text };
}

describe('fleetterm command line', () => {
  describe('connection options', () => {
    it('defaults to the local broker and takes the token from the environment', async () => {
      const { code, call } = await cli(['ls']);
      expect(code).toBe(0);
      expect(call?.settings).toEqual({
        httpBase: 'http://127.0.0.1:7420',
        wsUrl: 'ws://127.0.0.1:7420/ws/console',
        token: 'ftk_from_env',
      });
    });

    it('takes --broker and --token before or after the command', async () => {
      const before = await cli(['--broker', 'http://localhost:9', '--token', 'ftk_a', 'ls']);
      const after = await cli(['ls', '--broker', 'http://localhost:9', '--token', 'ftk_a']);
      for (const run of [before, after])
        expect(run.call?.settings).toMatchObject({ httpBase: 'http://localhost:9', token: 'ftk_a' });
    });

    it('is a usage error without a token, saying how to create one', async () => {
      const { code, calls, stderr } = await cli(['ls'], {});
      expect(code).toBe(2);
      expect(calls).toEqual([]);
      expect(stderr).toContain('fleetterm-broker token create --role operator');
    });

    it('refuses plain http beyond loopback', async () => {
      const { code, stderr } = await cli(['ls'], { ...ENV, FLEETTERM_BROKER: 'http://10.1.2.3:7420' });
      expect(code).toBe(2);
      expect(stderr).toContain('plain http:// and ws:// are allowed only on loopback');
    });
  });

  describe('ls', () => {
    it('passes --json', async () => {
      expect((await cli(['ls', '--json'])).call?.options).toEqual({ json: true });
      expect((await cli(['ls'])).call?.options).toEqual({ json: false });
    });
  });

  describe('shell', () => {
    it('takes the machine and an optional login user', async () => {
      expect((await cli(['shell', 'web-1', '--user', 'deploy'])).call?.options).toEqual({
        machine: 'web-1',
        loginUser: 'deploy',
      });
    });

    it('returns what the command returns (the remote exit status)', async () => {
      expect((await cli(['shell', 'web-1'], ENV, 3)).code).toBe(3);
    });

    it('refuses an invalid machine name as a usage error', async () => {
      const { code, stderr } = await cli(['shell', 'not a name']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/not a machine name/);
    });

    it('requires the machine', async () => {
      const { code, stderr } = await cli(['shell']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/missing required argument/);
    });
  });

  describe('exec', () => {
    it('collects repeated --machine and --label, and the command after --', async () => {
      const { call } = await cli([
        'exec',
        '-m',
        'a',
        '--machine',
        'b',
        '--label',
        'env=prod',
        '-l',
        'role=db',
        '--',
        'echo',
        'hi there',
      ]);
      expect(call?.options).toEqual({
        selection: { names: ['a', 'b'], labels: { env: 'prod', role: 'db' }, all: false },
        command: 'echo hi there',
        loginUser: undefined,
        mode: 'prefix',
        timeoutMs: undefined,
      });
    });

    it('passes the command through without -- as well', async () => {
      expect((await cli(['exec', '--all', 'uname', '-a'])).call?.options).toMatchObject({
        command: 'uname -a',
        selection: { all: true },
      });
    });

    it('chooses the output mode and parses the timeout', async () => {
      expect((await cli(['exec', '--all', '--group', '--', 'x'])).call?.options).toMatchObject({ mode: 'group' });
      expect((await cli(['exec', '--all', '--json', '--timeout', '1m30s', '--', 'x'])).call?.options).toMatchObject({
        mode: 'json',
        timeoutMs: 90_000,
      });
    });

    it.each([
      [['exec', '--', 'uptime'], /--machine NAME, --label key=value or --all/],
      [['exec', '--label', 'oops', '--', 'x'], /key=value/],
      [['exec', '--all', '--timeout', 'soon', '--', 'x'], /--timeout/],
      [['exec', '--all', '--group', '--json', '--', 'x'], /cannot be used with/],
      [['exec', '--all'], /missing required argument/],
      [['exec', '--machine', 'bad name', '--', 'x'], /not a machine name/],
    ])('treats %j as a usage error', async (argv, message) => {
      const { code, calls, stderr } = await cli(argv);
      expect(code).toBe(2);
      expect(calls).toEqual([]);
      expect(stderr).toMatch(message);
    });
  });

  describe('help and errors', () => {
    it('documents environment, exit codes and examples in --help, and exits 0', async () => {
      const { code, stdout } = await cli(['--help']);
      expect(code).toBe(0);
      for (const text of [
        'FLEETTERM_BROKER',
        'FLEETTERM_TOKEN',
        'Exit codes:',
        '3    cannot reach the broker',
        'Examples:',
      ]) {
        expect(stdout).toContain(text);
      }
    });

    it('has examples in every command’s help', async () => {
      for (const command of ['ls', 'shell', 'exec'])
        expect((await cli([command, '--help'])).stdout).toContain('Examples:');
    });

    it('prints the version', async () => {
      expect((await cli(['--version'])).stdout).toBe('0.1.0\n');
    });

    it('treats an unknown command as a usage error', async () => {
      const { code, stderr } = await cli(['frobnicate']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/unknown command/);
    });

    it('prints a command failure with its exit code', async () => {
      const runners: CommandRunners = {
        ls: async () => {
          throw new CliError(3, 'cannot reach the broker at http://127.0.0.1:7420: connection refused');
        },
        shell: async () => 0,
        exec: async () => 0,
      };
      const stderr = new Capture();
      const code = await runCli(['ls'], runners, { stdout: new Capture(), stderr, env: ENV });
      expect(code).toBe(3);
      expect(stderr.text).toBe('fleetterm: cannot reach the broker at http://127.0.0.1:7420: connection refused\n');
    });
  });
});
