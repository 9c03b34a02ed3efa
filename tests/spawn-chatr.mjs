// How every Node suite starts the chatr binary: with `--ready-json`, waiting for the one JSON
// line it prints once every listener is bound (src/cli.rs) and reading the addresses from it,
// never from the banner, which is for people.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The binary under test: `CHATR_BIN`, or the debug build `make test` makes. */
export const CHATR_BIN = process.env.CHATR_BIN ?? path.join(REPO, 'target', 'debug', 'chatr');

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 8_000;
/** How much of stderr is kept for error messages. */
const STDERR_KEPT = 16_000;

/** The `ready` object of a `{"ready":{…}}` line; undefined for any other line. */
function readyOf(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const ready = JSON.parse(line).ready;
    return typeof ready === 'object' && ready !== null ? ready : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `chatr ARGS --ready-json` (logs at `RUST_LOG`, default warn) and resolves once it is
 * ready with `{ child, ready, exited, stop(), stdout, stderr }`: `ready` is the parsed ready
 * object (`site`, `emulator`, `handler`, `connectionString`: what the subcommand runs),
 * `exited` resolves with `{ code, signal }`, `stop()` sends SIGTERM and resolves with that once
 * it exits (SIGKILL and a rejection after 8 s), `stdout` and `stderr` are what it printed so
 * far. Rejects with its stderr, having killed it, when it exits or cannot start first, or
 * after `timeoutMs`. Should the test process end first, the child is killed with it.
 * `descriptors` runs it with that RLIMIT_NOFILE, soft and hard (`ulimit -n` in a shell that
 * then `exec`s chatr, so the child is chatr itself).
 */
export async function spawnChatr(args, { env = {}, cwd = REPO, timeoutMs = START_TIMEOUT_MS, descriptors } = {}) {
  const [command, commandArgs] =
    descriptors === undefined
      ? [CHATR_BIN, [...args, '--ready-json']]
      : ['sh', ['-c', `ulimit -n ${Number(descriptors)} && exec "$0" "$@"`, CHATR_BIN, ...args, '--ready-json']];
  const child = spawn(command, commandArgs, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env },
  });
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  let spawnError;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      resolve({ code, signal });
    });
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((resolve, reject) => {
    const what = `chatr ${args.join(' ')}`;
    const fail = (why) => {
      clearTimeout(timer);
      reject(new Error(`${what} ${why}:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (error) => {
      spawnError = error;
      process.removeListener('exit', killOnExit);
      fail(`could not start ${CHATR_BIN} (${error.message})`);
    });
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    lines.on('line', (line) => {
      stdout += `${line}\n`;
      const found = readyOf(line);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  const running = () => !spawnError && child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return spawnError ? undefined : exited;
    child.kill('SIGTERM');
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`chatr ${args[0]} did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`)), STOP_TIMEOUT_MS);
    });
    try {
      return await Promise.race([exited, late]);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    return {
      child,
      ready: await ready,
      exited,
      stop,
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
    };
  } catch (error) {
    if (running()) child.kill('SIGKILL');
    throw error;
  }
}

/**
 * A port free on 127.0.0.1 right now, for a process that must know another's port before
 * that one starts (an emulator pointed at a handler not yet running). Another process may
 * take it in between (this machine runs nothing else that picks ports at random; a clash
 * shows as the second process failing to start, never as a wrong answer).
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
