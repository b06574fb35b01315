// Debian's Chromium driven over the DevTools protocol on a pipe, with only
// the domains the into-xterm workload needs. Not Playwright: Playwright
// enables the Network domain on every page, and Chromium then copies every
// WebSocket frame's payload to the DevTools client (base64 for binary
// frames), which cost the page about a third of its throughput when a
// terminal is fed over a WebSocket and nothing when it is fed from memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.mjs';

const LAUNCH_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--enable-precise-memory-info',
  '--no-first-run',
  '--no-default-browser-check',
  '--remote-debugging-pipe',
];

/**
 * Launches Chromium (`--remote-debugging-pipe`: commands on fd 3, replies and
 * events on fd 4, each a JSON text ended by NUL). Resolves with `send` for
 * browser-level commands, `newPage` and `close`; closed by cleanup too.
 */
export async function launchChromium(executablePath, { width = 1000, height = 700 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'fleetterm-bench-chromium-'));
  const child = spawn(
    executablePath,
    [...LAUNCH_ARGS, `--window-size=${width},${height}`, `--user-data-dir=${profile}`],
    {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t) => (stderr = (stderr + t).slice(-2000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const pending = new Map();
  const listeners = new Map();
  let nextId = 1;
  let buffered = '';
  child.stdio[4].setEncoding('utf8').on('data', (text) => {
    const parts = (buffered + text).split('\0');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      const message = JSON.parse(part);
      const waiter = pending.get(message.id);
      if (waiter) {
        pending.delete(message.id);
        if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
        else waiter.resolve(message.result);
      } else if (message.method) {
        for (const listener of listeners.get(`${message.sessionId ?? ''}:${message.method}`) ?? [])
          listener(message.params);
      }
    }
  });
  exited.then((code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`chromium exited (${code}): ${stderr}`));
    pending.clear();
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      child.stdio[3].write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    });
  const on = (sessionId, method, listener) => {
    const key = `${sessionId}:${method}`;
    listeners.set(key, [...(listeners.get(key) ?? []), listener]);
  };
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await send('Browser.close').catch(() => child.kill('SIGKILL'));
      await exited;
    }
    rmSync(profile, { recursive: true, force: true });
  };
  const unregister = onCleanup('chromium', close);
  // The broker's certificate comes from its own CA, which this throwaway profile does not trust; TLS still runs.
  await send('Security.setIgnoreCertificateErrors', { ignore: true });

  /** A new tab showing `url`; `send` talks to its page, `errors` collects its uncaught exceptions. */
  async function newPage(url) {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const pageSend = (method, params) => send(method, params, sessionId);
    const errors = [];
    on(sessionId, 'Runtime.exceptionThrown', ({ exceptionDetails }) =>
      errors.push(exceptionDetails.exception?.description ?? exceptionDetails.text),
    );
    await pageSend('Runtime.enable');
    const loaded = new Promise((resolve) => on(sessionId, 'Page.loadEventFired', resolve));
    await pageSend('Page.enable');
    await pageSend('Page.navigate', { url });
    await loaded;
    /** Evaluates `expression` in the page, awaiting a promise, and returns its value. */
    const evaluate = async (expression) => {
      const { result, exceptionDetails } = await pageSend('Runtime.evaluate', {
        expression,
        awaitPromise: true,
        returnByValue: true,
      });
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    };
    return { send: pageSend, evaluate, errors, close: () => send('Target.closeTarget', { targetId }) };
  }

  return { pid: child.pid, newPage, close: () => (unregister(), close()) };
}
