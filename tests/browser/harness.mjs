// What every browser suite shares: a `chatr dev` on free ports with a fresh data dir, the
// hooks of a Chromium suite, the Static Web Apps auth cookie, the emulator's REST API (to kill
// sockets from outside), a guard that fails a test on any console error or failed request it
// did not name, and the folder screenshots go to.

import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { chromium } from 'playwright-core';
import { REPO, spawnChatr } from '../spawn-chatr.mjs';

export const ROOT = REPO;
/** Screenshots and other artefacts (ignored by git). */
export const OUTPUT = join(ROOT, 'test-output', 'browser');
/** The emulator's access key, given to `chatr dev` (`--access-key`) so that tests can sign REST calls. */
const DEV_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
/** How long any single wait in a browser test may take. */
export const WAIT_MS = 10_000;

const portOf = (url) => new URL(url).port;

/**
 * Starts `chatr dev`; resolves to `{base, emulator, restart(), stop()}` once it is ready.
 * `restart()` stops it and starts it again on the same ports and data, as a server restart
 * looks to the pages that use it.
 */
export async function startChatr({ env = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatr-browser-'));
  const start = (site, emulator) =>
    spawnChatr(['dev', '--port', site, '--emulator-port', emulator, '--data-dir', dataDir, '--access-key', DEV_KEY], {
      env,
      timeoutMs: WAIT_MS,
    });
  let chatr;
  try {
    chatr = await start('0', '0');
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { site: base, emulator } = chatr.ready;
  return {
    base,
    emulator,
    async restart() {
      await chatr.stop();
      chatr = await start(portOf(base), portOf(emulator));
    },
    async stop() {
      try {
        await chatr.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Chromium's command line for tests. Playwright gives every launch a fresh temporary profile
 * itself (it refuses a `--user-data-dir` argument), so none is passed here.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The hooks every Chromium suite shares, declared in the calling `describe`: one `chatr dev`
 * and one Chromium for the whole suite, stopped after it, and after each test the guard of
 * every person `people()` returns checked. Returns `{ chatr, browser }`, filled in once the
 * suite has started; `env` is `chatr dev`'s extra environment.
 */
export function chromiumSuite(people, { env = {} } = {}) {
  const suite = { chatr: undefined, browser: undefined };
  before(async () => {
    suite.chatr = await startChatr({ env });
    suite.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await suite.browser?.close();
    await suite.chatr?.stop();
  });
  afterEach(() => {
    for (const person of people()) person.check();
  });
  return suite;
}

/** A Static Web Apps principal for a test user (id `<name>-id` unless given). */
export function principal(name, provider = 'github', userId = `${name}-id`) {
  return {
    identityProvider: provider,
    userId,
    userDetails: name,
    userRoles: ['anonymous', 'authenticated'],
    claims: [],
  };
}

/** The `StaticWebAppsAuthCookie` value for a principal. */
export function authCookie(p) {
  return Buffer.from(JSON.stringify(p)).toString('base64');
}

function base64url(value) {
  return Buffer.from(value).toString('base64url');
}

/** Calls the emulator's REST API as a server would (HS256 token, `aud` = the full URL). */
export async function emulatorRest(emulator, method, path) {
  const url = `${emulator}/api/hubs/chat${path}${path.includes('?') ? '&' : '?'}api-version=2024-01-01`;
  const now = Math.floor(Date.now() / 1000);
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify({ aud: url, iat: now, exp: now + 300 }));
  const signature = createHmac('sha256', DEV_KEY).update(`${head}.${body}`).digest('base64url');
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${head}.${body}.${signature}` } });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** Closes every socket of a user from the service side, as a network drop would. */
export function dropUserSockets(emulator, userId) {
  return emulatorRest(emulator, 'POST', `/users/${encodeURIComponent(userId)}/:closeConnections`);
}

/**
 * Watches a page (playwright or puppeteer: both emit `console`, `pageerror`,
 * `requestfailed` and `response`) and records every console error, page error, failed
 * request and 4xx/5xx answer. `allow(pattern, why)` names one that is expected;
 * `check()` throws listing the others (and starts a fresh list).
 */
export function guardPage(page, label) {
  const problems = [];
  const allowed = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message ?? error}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure();
    problems.push(`request failed: ${request.url()} (${failure?.errorText ?? 'unknown'})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return {
    allow(pattern, why) {
      if (!why) throw new Error('name why the problem is expected');
      allowed.push(pattern);
    },
    check() {
      const unexpected = problems.splice(0).filter((p) => !allowed.some((a) => a.test(p)));
      if (unexpected.length > 0) throw new Error(`${label}: unexpected problems:\n  ${unexpected.join('\n  ')}`);
    },
  };
}

/** The screenshot path for a name (the folder is created on first use). */
export function screenshotPath(name) {
  mkdirSync(OUTPUT, { recursive: true });
  return join(OUTPUT, `${name}.png`);
}
