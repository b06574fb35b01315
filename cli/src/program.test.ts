import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestCa, startBrokerStandIn } from '../../node-common/trust/testing/brokerStandIn';
import type { ConnectionSettings, TrustFlags } from './connection';
import type { ExecOptions } from './execCommand';
import { CliError } from './exitCodes';
import { runCli, type CommandRunners } from './program';
import type { ShellOptions } from './shellCommand';
import { Capture } from './testing';
import type { TrustCommandOptions, TrustRunner } from './trustCommand';

const ENV = { FLEETTERM_TOKEN: 'ftk_from_env' };
const DEFAULT_BROKER = 'http://127.0.0.1:7420';

/** Runs the CLI with runners (and a trust runner) that only record what they were asked. */
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
  const established: TrustFlags[] = [];
  const trustRuns: TrustCommandOptions[] = [];
  const trust: TrustRunner = {
    establish: async (settings, flags) => {
      established.push(flags);
      return settings.httpBase.startsWith('https://') ? { ...settings, ca: ['PEM'] } : settings;
    },
    run: async (options) => (trustRuns.push(options), result),
  };
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, runners, { stdout, stderr, env }, trust);
  return { code, calls, call: calls[0], established, trustRuns, stdout: stdout.text, stderr: stderr.text };
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

  describe('trusting an https:// broker', () => {
    const PIN = 'sha256/8FHIAKK7yoPkqmc/edEd3aorlI3rUUt37ItSqOlVtjU=';

    it('settles trust before the command runs, with --ca-file or --ca-pin from flags or the environment', async () => {
      const https = { ...ENV, FLEETTERM_BROKER: 'https://broker.example.org' };
      const run = await cli(['--ca-file', 'root.crt', 'ls'], https);
      expect(run.established).toEqual([{ caFile: 'root.crt', caPin: undefined }]);
      expect(run.call?.settings.ca).toEqual(['PEM']);
      expect((await cli(['exec', '--ca-pin', PIN, '--all', '--', 'x'], https)).established).toEqual([
        { caFile: undefined, caPin: PIN },
      ]);
      expect((await cli(['shell', 'web-1'], { ...https, FLEETTERM_CA_PIN: PIN })).established).toEqual([
        { caFile: undefined, caPin: PIN },
      ]);
      // A flag replaces the environment's choice instead of clashing with it.
      expect((await cli(['ls', '--ca-file', 'f'], { ...https, FLEETTERM_CA_PIN: PIN })).established).toEqual([
        { caFile: 'f', caPin: undefined },
      ]);
    });

    it('treats both --ca-file and --ca-pin, or a malformed pin, as usage errors', async () => {
      const both = await cli(['ls', '--ca-file', 'f', '--ca-pin', PIN]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('not both');
      const bad = await cli(['ls', '--ca-pin', 'AB:CD:EF']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('is not a CA pin');
      expect(bad.calls).toEqual([]);
    });

    it('passes `trust` its options, the broker defaulting like the other commands', async () => {
      const pin = await cli(['trust', '--broker', 'https://b.example', '--ca-pin', PIN, '--yes']);
      expect(pin.trustRuns).toEqual([
        { broker: 'https://b.example', caFile: undefined, caPin: PIN, yes: true, list: false, forget: undefined },
      ]);
      expect((await cli(['trust'], { FLEETTERM_BROKER: 'https://env.example' })).trustRuns[0]?.broker).toBe(
        'https://env.example',
      );
      expect((await cli(['trust', '--list'])).trustRuns[0]).toMatchObject({ list: true, broker: DEFAULT_BROKER });
      expect((await cli(['trust', '--forget', 'b.example:443'])).trustRuns[0]?.forget).toBe('b.example:443');
      expect((await cli(['trust', '--list', '--forget', 'x:1'])).code).toBe(2);
      expect((await cli(['trust', '--list', '--yes'])).code).toBe(2);
    });

    it('asks nothing without a terminal: a first contact is refused with exit 4 and guidance', async () => {
      const ca = await createTestCa();
      const broker = await startBrokerStandIn(ca.server, [ca.rootPem]);
      const configDir = mkdtempSync(join(tmpdir(), 'fleetterm-program-'));
      try {
        const env = { ...ENV, FLEETTERM_BROKER: broker.url, FLEETTERM_CONFIG_DIR: configDir };
        const calls: ConnectionSettings[] = [];
        const runners: CommandRunners = {
          ls: async (settings) => (calls.push(settings), 0),
          shell: async () => 0,
          exec: async () => 0,
        };
        const stderr = new Capture();
        expect(await runCli(['ls'], runners, { stdout: new Capture(), stderr, env })).toBe(4);
        expect(stderr.text).toContain('there is nobody to confirm its CA here (no terminal)');
        expect(calls).toEqual([]);
        expect(await runCli(['ls', '--ca-pin', ca.pin], runners, { stdout: new Capture(), stderr, env })).toBe(0);
        expect(calls[0]?.ca).toEqual([ca.rootPem]);
      } finally {
        await broker.close();
        ca.dispose();
        rmSync(configDir, { recursive: true, force: true });
      }
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
        "4    the broker's certificate is not trusted",
        'FLEETTERM_CA_FILE',
        'Examples:',
      ]) {
        expect(stdout).toContain(text);
      }
    });

    it('has examples in every command’s help', async () => {
      for (const command of ['ls', 'shell', 'exec', 'trust'])
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
