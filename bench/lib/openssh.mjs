// A private sshd on a free loopback port with throwaway keys, and `ssh -tt`
// sessions to it driven through a local PTY, as a user would run them:
// directly, or through the same sshd as a jump host (`ssh -J`, the topology
// of a broker: every byte relayed by a process in the middle).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.mjs';
import { ptyTerminal } from './localPty.mjs';
import { descendantsNamed } from './procStat.mjs';

const SSHD = '/usr/sbin/sshd';

/** Installs Debian's OpenSSH if it is missing (apt-get update only if the first try fails). */
export function ensureOpenSsh() {
  if (existsSync(SSHD) && existsSync('/usr/bin/ssh')) return;
  const install = () =>
    execFileSync('apt-get', ['install', '-y', 'openssh-server', 'openssh-client'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.error('bench: installing openssh-server and openssh-client');
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    install();
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts sshd in the foreground (-D -e); resolves once it listens. Stopped by cleanup, by pid. */
export async function startSshd() {
  ensureOpenSsh();
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory
  const dir = mkdtempSync(join(tmpdir(), 'fleetterm-bench-sshd-'));
  onCleanup('sshd directory', () => rmSync(dir, { recursive: true, force: true }));
  const keygen = (file) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'UsePAM no',
    'PermitRootLogin yes',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PrintMotd no',
    'PrintLastLog no',
    'LogLevel INFO',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  // The client's options in a file: \`ssh -J\` passes \`-F\` on to the ssh it starts for the jump, not \`-i\` or \`-o\`.
  const clientConfig = [
    'Host 127.0.0.1',
    `  Port ${port}`,
    '  User root',
    `  IdentityFile ${join(dir, 'user_key')}`,
    '  IdentitiesOnly yes',
    '  StrictHostKeyChecking no',
    '  UserKnownHostsFile /dev/null',
    '  LogLevel ERROR',
    '  BatchMode yes',
  ].join('\n');
  writeFileSync(join(dir, 'ssh_config'), `${clientConfig}\n`);

  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  onCleanup('sshd', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${log}`)), 10_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      if (log.length < 65536) log += text;
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then((code) => reject(new Error(`sshd exited with ${code}:\n${log}`)));
  });
  return { port, pid: child.pid, configPath: join(dir, 'ssh_config') };
}

/**
 * One `ssh -tt root@127.0.0.1 [command]` in a local PTY, as a bench terminal
 * (a login shell without a command); with `jump`, through the same sshd as a
 * jump host (`-J`: ssh starts `ssh -W` to it, whose sshd connects to the target sshd).
 */
export function sshTerminal(sshd, command, { jump = false } = {}) {
  const args = [
    '-F',
    sshd.configPath,
    '-tt',
    ...(jump ? ['-J', '127.0.0.1'] : []),
    '127.0.0.1',
    ...(command === undefined ? [] : [command]),
  ];
  const terminal = ptyTerminal('/usr/bin/ssh', args, 'ssh client');
  return {
    ...terminal,
    /** The processes that carry the bytes: the client (and its `ssh -W`) and sshd's per-connection processes. */
    transportPids: () => [
      terminal.pid,
      ...descendantsNamed(terminal.pid, 'ssh'),
      ...descendantsNamed(sshd.pid, 'sshd'),
    ],
  };
}
