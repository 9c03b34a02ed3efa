// Issue 17, items 3 and 4: no web page can drive `chatr dev`, and one data folder serves one
// process. The emulator takes WebSocket upgrades only from the site's own pages; the site,
// the emulator and the handler answer only to this machine's names (DNS rebinding); the
// access key is random per data folder; a second `chatr dev` on the same folder refuses to
// start and names the first.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { spawnChatr } from '../spawn-chatr.mjs';

const PUBLIC_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const WAIT_MS = 8_000;

function tempDir(t) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatr-dev-stack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startDev(t, dataDir, extra = []) {
  const dev = await spawnChatr(['dev', '--port', '0', '--emulator-port', '0', '--data-dir', dataDir, ...extra], {
    timeoutMs: WAIT_MS,
  });
  t.after(() => dev.stop());
  return dev;
}

const keyOf = (connectionString) => /AccessKey=([^;]+)/.exec(connectionString)[1];

/** GET `url` with this `Host` header (fetch cannot set one): resolves to `{ status, body }`. */
function getWithHost(url, host) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A client token for the dev emulator, signed with its key, as the handler signs them. */
function clientToken(emulator, key, userId) {
  const aud = `${emulator.replace('127.0.0.1', 'localhost')}/client/hubs/chat`;
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ aud, iat: now, exp: now + 300, sub: userId })}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

/** Opens a WebSocket to the emulator with this `Origin`: resolves to the status it got. */
function upgradeStatus(emulator, token, origin) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${emulator.replace('http', 'ws')}/client/hubs/chat?access_token=${token}`, 'json.webpubsub.azure.v1', {
      headers: origin ? { origin } : {},
    });
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode);
    });
    ws.on('error', () => resolve('error'));
  });
}

test("the dev emulator takes WebSocket upgrades only from the site's own pages", async (t) => {
  const dev = await startDev(t, path.join(tempDir(t), 'data'));
  const { site, emulator, connectionString } = dev.ready;
  const token = clientToken(emulator, keyOf(connectionString), 'someone');
  const sitePort = new URL(site).port;
  assert.equal(await upgradeStatus(emulator, token, 'https://evil.example'), 403);
  assert.equal(await upgradeStatus(emulator, token, `http://localhost:${Number(sitePort) + 1}`), 403);
  assert.equal(await upgradeStatus(emulator, token, `http://localhost:${sitePort}`), 101);
  assert.equal(await upgradeStatus(emulator, token, `http://127.0.0.1:${sitePort}`), 101);
  assert.equal(await upgradeStatus(emulator, token, undefined), 101, 'no Origin: an SDK or a server');
});

test('the site, the emulator and the handler refuse other host names with 421 (DNS rebinding)', async (t) => {
  const dev = await startDev(t, path.join(tempDir(t), 'data'), ['--host', 'my-laptop.local']);
  const { site, emulator, handler } = dev.ready;
  for (const base of [site, emulator, handler]) {
    const port = new URL(base).port;
    const rebound = await getWithHost(`${base}/`, `rebound.example:${port}`);
    assert.equal(rebound.status, 421, `${base}: ${rebound.body}`);
    assert.equal(JSON.parse(rebound.body).error, 'unknownHost');
    const local = await getWithHost(`${base}/`, `localhost:${port}`);
    assert.notEqual(local.status, 421, base);
    const added = await getWithHost(`${base}/`, `my-laptop.local:${port}`);
    assert.notEqual(added.status, 421, `${base} with --host`);
  }
  // The sign-in that takes any name is behind the same check.
  const port = new URL(site).port;
  const signIn = await getWithHost(`${site}/.auth/login/github`, `rebound.example:${port}`);
  assert.equal(signIn.status, 421);
});

test('the access key is random per data folder, kept owner-only, and --access-key replaces it', async (t) => {
  const dir = tempDir(t);
  const first = await startDev(t, path.join(dir, 'a'));
  const key = keyOf(first.ready.connectionString);
  assert.notEqual(key, PUBLIC_KEY);
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(readFileSync(path.join(dir, 'a', 'emulator-access-key'), 'utf8').trim(), key);
  assert.equal(statSync(path.join(dir, 'a', 'emulator-access-key')).mode & 0o777, 0o600);
  // The public development key signs nothing here.
  const emulator = first.ready.emulator;
  assert.equal(await upgradeStatus(emulator, clientToken(emulator, PUBLIC_KEY, 'x'), undefined), 401);
  await first.stop();
  const again = await startDev(t, path.join(dir, 'a'));
  assert.equal(keyOf(again.ready.connectionString), key, 'the same folder keeps its key');
  const other = await startDev(t, path.join(dir, 'b'));
  assert.notEqual(keyOf(other.ready.connectionString), key, 'another folder has its own');
  const given = await startDev(t, path.join(dir, 'c'), ['--access-key', PUBLIC_KEY]);
  assert.equal(keyOf(given.ready.connectionString), PUBLIC_KEY);
});

test('a second chatr dev on the same data folder refuses to start and names the first', async (t) => {
  const dataDir = path.join(tempDir(t), 'data');
  const first = await startDev(t, dataDir);
  await assert.rejects(
    spawnChatr(['dev', '--port', '0', '--emulator-port', '0', '--data-dir', dataDir], { timeoutMs: WAIT_MS }),
    (error) => {
      assert.match(error.message, /is in use by chatr \(pid \d+\)/);
      assert.match(error.message, new RegExp(`pid ${first.child.pid}\\b`));
      return true;
    },
  );
  // The first is untouched.
  assert.equal((await fetch(`${first.ready.site}/login.html`)).status, 200);
  // Once it is gone (even by SIGKILL), the folder is free.
  first.child.kill('SIGKILL');
  await first.exited;
  await startDev(t, dataDir);
});
