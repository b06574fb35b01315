// `npm start`: a broker on loopback with its data under .fleetterm/, and an
// agent for this machine, enrolled on first start. Logs go to
// .fleetterm/logs/; this terminal shows what to try. Ctrl-C stops both.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const home = process.env.FLEETTERM_HOME ?? join(root, '.fleetterm');
const port = Number(process.env.FLEETTERM_PORT ?? '7420');
/** The agent listener sits next to the console listener. */
const agentPort = Number(process.env.FLEETTERM_AGENT_PORT ?? port + 1);
const paths = {
  brokerData: join(home, 'broker'),
  agentState: join(home, 'agent'),
  agentConfig: join(home, 'agent.json'),
  operatorToken: join(home, 'operator-token'),
  logs: join(home, 'logs'),
};
const bins = {
  broker: join(root, 'broker/bin/fleetterm-broker.js'),
  agent: join(root, 'agent/bin/fleetterm-agent.js'),
};
const machineName =
  hostname()
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63) || 'this-machine';

mkdirSync(paths.logs, { recursive: true, mode: 0o700 });

const children = new Set();
let stopping = false;

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

/** Runs a broker command; its error output is kept for the error it throws, not shown. */
function brokerCommand(args) {
  return execFileSync(process.execPath, [bins.broker, ...args, '--data', paths.brokerData], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts a part with its JSON log in .fleetterm/logs and resolves on the
 * record `msg`. If the part exits first, the promise rejects with its last
 * error line; if it exits later, everything stops.
 */
function startPart(name, args, readyMsg) {
  const logPath = join(paths.logs, `${name}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let lastError = '';
  createInterface({ input: child.stderr }).on('line', (line) => {
    log.write(`${line}\n`);
    if (line.trim()) lastError = line.trim();
  });
  let ready = false;
  const records = [];
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        return;
      }
      records.push(record);
      if (!ready && record.msg === readyMsg) {
        ready = true;
        resolve({ child, record, records });
      }
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (stopping) return;
      const why = `${name} exited (${signal ?? `code ${code}`}): ${lastError || `see ${relative(process.cwd(), logPath)}`}`;
      if (!ready) return reject(new Error(why));
      say(`\n${why}`);
      void shutdown(1);
    });
  });
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('\nStopping the agent and the broker…');
  const exits = [...children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), 5000);
  await Promise.all(exits);
  clearTimeout(force);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/**
 * The Electron runtime, when it was downloaded and a display exists;
 * otherwise why the desktop app is not started (the web console serves the
 * same console). FLEETTERM_WEB_ONLY=1 skips the desktop app.
 */
function desktopRuntime() {
  if (process.env.FLEETTERM_WEB_ONLY) return { why: 'FLEETTERM_WEB_ONLY is set' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { why: 'no display here' };
  }
  // Found as require('electron') would, without calling it: that require downloads a missing binary.
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const bin = join(packageDir, 'dist', readFileSync(join(packageDir, 'path.txt'), 'utf8'));
    if (existsSync(bin)) return { bin };
  } catch {
    // No electron package, or no path.txt (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1).
  }
  return { why: 'no Electron runtime (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1?)' };
}

/** Opens the desktop app on the local broker; closing it leaves the broker and the agent running. */
function startDesktop(bin, consoleUrl) {
  const log = createWriteStream(join(paths.logs, 'desktop.log'), { flags: 'a' });
  const child = spawn(bin, [root], {
    env: { ...process.env, FLEETTERM_LOCAL_BROKER: consoleUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.once('exit', (code) => {
    if (!stopping)
      say(`The desktop app closed (code ${code}); the web console stays at ${consoleUrl}. Ctrl-C stops everything.`);
  });
}

/** The operator token is kept between starts; a revoked or expired one is replaced. */
async function ensureOperatorToken(url) {
  if (existsSync(paths.operatorToken)) {
    const token = readFileSync(paths.operatorToken, 'utf8').trim();
    const answer = await fetch(`${url}/api/v1/machines`, { headers: { authorization: `Bearer ${token}` } });
    if (answer.ok) return token;
  }
  const created = JSON.parse(
    brokerCommand([
      'token',
      'create',
      '--role',
      'admin',
      '--scope',
      'shell,exec,read',
      '--name',
      'local-admin',
      '--ttl',
      '90d',
      '--json',
    ]),
  );
  writeFileSync(paths.operatorToken, `${created.token}\n`, { mode: 0o600 });
  chmodSync(paths.operatorToken, 0o600);
  return created.token;
}

try {
  // The local demo's console listener speaks plain HTTP on loopback (the broker logs it as development mode);
  // the agent listener keeps mutual TLS with the CA in .fleetterm/broker/pki.
  const { record, records } = await startPart(
    'broker',
    [
      bins.broker,
      'serve',
      '--data',
      paths.brokerData,
      '--listen',
      `127.0.0.1:${port}`,
      '--agent-listen',
      `127.0.0.1:${agentPort}`,
      '--dev-insecure-http',
    ],
    'listening',
  );
  const url = String(record.url);
  await ensureOperatorToken(url);

  if (!existsSync(paths.agentConfig)) {
    writeFileSync(paths.agentConfig, `${JSON.stringify({ remote_shell: true }, null, 2)}\n`);
  }
  const enrolled = existsSync(join(paths.agentState, 'machine.json'));
  const agentArgs = [bins.agent, 'run', '--broker', url, '--state', paths.agentState, '--config', paths.agentConfig];
  if (!enrolled) {
    // An agent state from before certificates, or a lost one: this machine enrols anew under its name.
    const legacy = join(paths.agentState, 'credential.json');
    if (existsSync(legacy)) renameSync(legacy, `${legacy}.old`);
    try {
      brokerCommand(['machines', 'revoke', machineName]);
    } catch {
      // not enrolled before: nothing to revoke
    }
    const created = JSON.parse(
      brokerCommand([
        'enroll-token',
        'create',
        '--name',
        machineName,
        '--label',
        'env=local',
        '--ttl',
        '15m',
        '--json',
      ]),
    );
    agentArgs.push('--enroll-token', created.token, '--ca-pin', created.caPin);
  }
  await startPart('agent', agentArgs, 'connected');

  const rel = relative(process.cwd(), home) || '.';
  say('');
  say(`Fleetterm is running on ${url}`);
  const firstAdmin = records.find((r) => r.msg === 'no users yet: register the first admin with this one-time link');
  say(`  web console:  ${record.consoleUrl} (passkeys need this name: localhost, not 127.0.0.1)`);
  if (firstAdmin) say(`  first admin:  open ${firstAdmin.link} (one-time link, valid 24 h)`);
  say(`  broker data:  ${rel}/broker   agent state: ${rel}/agent   logs: ${rel}/logs`);
  say(`  this machine: ${machineName} (labels env=local)`);
  say(`  consoles: plain HTTP on loopback (development mode); the agent: mutual TLS on 127.0.0.1:${agentPort}`);
  say('');
  say('In another terminal, from this folder:');
  say(`  export FLEETTERM_BROKER=${url}`);
  say(`  export FLEETTERM_TOKEN=$(cat ${rel}/operator-token)`);
  say('  npx fleetterm ls');
  say(`  npx fleetterm shell ${machineName}`);
  say('  npx fleetterm exec --label env=local -- uname -a');
  say('');
  const desktop = desktopRuntime();
  if (desktop.bin) {
    say('The desktop app opens on this broker ("This computer"); the web console above serves the same console.');
    startDesktop(desktop.bin, String(record.consoleUrl));
  } else {
    say(`Desktop app not started: ${desktop.why}. The web console above is the same console.`);
  }
  say('Sign in with a passkey, see the machines, open terminals in tabs. Ctrl-C stops everything.');
} catch (error) {
  say(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  if (String(error).includes('in use'))
    say(`Other ports: FLEETTERM_PORT=7520 npm start (the agent listener takes the next one)`);
  await shutdown(1);
}
