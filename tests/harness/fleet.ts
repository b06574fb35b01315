import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ManagedProcess } from './managedProcess';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

export const BIN = {
  broker: join(root, 'broker/bin/fleetterm-broker.js'),
  agent: join(root, 'agent/bin/fleetterm-agent.js'),
  cli: join(root, 'cli/bin/fleetterm.js'),
};

/** Runs one of our commands to completion and returns its output. */
export async function runCommand(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
}

export interface AgentSpec {
  name: string;
  labels?: Record<string, string>;
  /** Agent config file contents (snake_case keys, see the README). */
  config?: Record<string, unknown>;
}

export interface AgentHandle {
  name: string;
  stateDir: string;
  process: ManagedProcess;
  /** Starts the agent again with the same state (it reuses its key and certificate). */
  restart(): Promise<void>;
}

/**
 * A broker and its agents as real processes on loopback, each with its own
 * temporary directory, plus an operator API token. `stop()` ends them all
 * and removes every directory.
 */
export class Fleet {
  readonly agents = new Map<string, AgentHandle>();
  broker!: ManagedProcess;
  /** The console listener (plain HTTP on loopback under the development flag). */
  url = '';
  /** The agent listener (mutual TLS). */
  agentUrl = '';
  /** The broker CA's pin, which agents check at enrolment. */
  caPin = '';
  operatorToken = '';
  private port = 0;
  private agentPort = 0;

  private constructor(readonly dir: string) {}

  static async start(agents: AgentSpec[] = [], brokerArgs: string[] = []): Promise<Fleet> {
    const fleet = new Fleet(await mkdtemp(join(tmpdir(), 'fleetterm-test-')));
    try {
      await fleet.startBroker(brokerArgs);
      fleet.operatorToken = await fleet.createApiToken('operator', 'ops');
      await Promise.all(agents.map((spec) => fleet.addAgent(spec)));
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  get dataDir(): string {
    return join(this.dir, 'broker');
  }

  /** Environment for `fleetterm` commands against this fleet. */
  get clientEnv(): NodeJS.ProcessEnv {
    return { FLEETTERM_BROKER: this.url, FLEETTERM_TOKEN: this.operatorToken };
  }

  async startBroker(extraArgs: string[] = []): Promise<void> {
    this.broker = ManagedProcess.start('broker', [
      BIN.broker,
      'serve',
      '--data',
      this.dataDir,
      '--listen',
      `127.0.0.1:${this.port}`,
      '--agent-listen',
      `127.0.0.1:${this.agentPort}`,
      // Consoles in these tests speak plain HTTP on loopback; agents keep mutual TLS.
      '--dev-insecure-http',
      ...extraArgs,
    ]);
    const listening = await this.broker.waitForLog('listening');
    this.url = String(listening.url);
    this.agentUrl = String(listening.agentUrl);
    this.caPin = String(listening.caPin);
    this.port = Number(new URL(this.url).port);
    this.agentPort = Number(listening.agentPort);
  }

  /** `fleetterm-agent run` arguments that enrol with `token` into `stateDir`. */
  agentArgs(token: string, stateDir: string, extra: string[] = []): string[] {
    return [
      BIN.agent,
      'run',
      '--broker',
      this.url,
      '--enroll-token',
      token,
      '--ca-pin',
      this.caPin,
      '--state',
      stateDir,
      ...extra,
    ];
  }

  /** Stops the broker (SIGTERM) and starts it again on the same port. */
  async restartBroker(): Promise<void> {
    await this.broker.stop();
    await this.startBroker();
  }

  async createApiToken(role: string, name: string): Promise<string> {
    const { stdout } = await runCommand(BIN.broker, [
      'token',
      'create',
      '--data',
      this.dataDir,
      '--role',
      role,
      '--scope',
      'shell,exec,read',
      '--name',
      name,
      '--json',
    ]);
    return (JSON.parse(stdout) as { token: string }).token;
  }

  async createEnrollToken(name: string, labels: Record<string, string> = {}, extra: string[] = []): Promise<string> {
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const { stdout } = await runCommand(BIN.broker, [
      'enroll-token',
      'create',
      '--data',
      this.dataDir,
      '--name',
      name,
      ...labelArgs,
      ...extra,
      '--json',
    ]);
    return (JSON.parse(stdout) as { token: string }).token;
  }

  /**
   * The shell test agents run: the real bash, without this machine's
   * dotfiles. A workstation's ~/.bashrc may do anything (pyenv's rehash waits
   * up to a minute on a lock a killed shell left behind); tests must not
   * depend on it. Login shells (`-l`) still start, as the agent starts them.
   */
  private async testShell(): Promise<string> {
    const path = join(this.dir, 'test-shell');
    await writeFile(path, '#!/bin/sh\nexec /bin/bash --noprofile --norc "$@"\n', { mode: 0o755 });
    return path;
  }

  async addAgent(spec: AgentSpec): Promise<AgentHandle> {
    const stateDir = join(this.dir, `agent-${spec.name}`);
    const configPath = join(this.dir, `agent-${spec.name}.json`);
    const shell = await this.testShell();
    await writeFile(configPath, JSON.stringify({ reconnect_max_delay: '1s', shell, ...spec.config }));
    const token = await this.createEnrollToken(spec.name, spec.labels);
    const start = () =>
      ManagedProcess.start(`agent ${spec.name}`, this.agentArgs(token, stateDir, ['--config', configPath]));
    const handle: AgentHandle = {
      name: spec.name,
      stateDir,
      process: start(),
      restart: async () => {
        await handle.process.stop();
        handle.process = start();
        await handle.process.waitForLog('connected');
      },
    };
    this.agents.set(spec.name, handle);
    await handle.process.waitForLog('connected');
    return handle;
  }

  agent(name: string): AgentHandle {
    const handle = this.agents.get(name);
    if (!handle) throw new Error(`no agent ${name} in this fleet`);
    return handle;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.process.stop()));
    await this.broker?.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
