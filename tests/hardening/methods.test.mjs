// Issue 17, item 6: a method nothing takes is answered 405 with `Allow`, on the site (it used
// to forward CONNECT to the handler and answer 502), on the handler, and on the emulator's
// REST API (a known path with another method; an unknown path stays 404).

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { spawnChatr } from '../spawn-chatr.mjs';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';

/** Sends a raw request line to `base` and resolves to the head of the answer. */
function rawRequest(base, method, target) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nhost: localhost:${port}\r\nconnection: close\r\n\r\n`);
    });
    socket.on('data', (c) => {
      answer += c.toString('latin1');
    });
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const statusOf = (head) => Number(head.split(' ')[1]);
const allowOf = (head) => /\r\nallow: ([^\r]*)/i.exec(head)?.[1];

test('the site answers CONNECT, TRACE and a POST to a file with 405 and Allow', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatr-methods-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dev = await spawnChatr(['dev', '--port', '0', '--emulator-port', '0', '--data-dir', path.join(dir, 'data')]);
  t.after(() => dev.stop());
  for (const [method, target] of [
    ['CONNECT', '/api/users'],
    ['TRACE', '/api/users'],
    ['CONNECT', '/index.html'],
  ]) {
    const head = await rawRequest(dev.ready.site, method, target);
    assert.equal(statusOf(head), 405, `${method} ${target}: ${head}`);
    assert.equal(allowOf(head), 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
    assert.match(head, /"error":"methodNotAllowed"/);
  }
  const post = await fetch(`${dev.ready.site}/login.html`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  // The handler, directly, names what each Function takes.
  const handler = await rawRequest(dev.ready.handler, 'TRACE', '/api/users');
  assert.equal(statusOf(handler), 405, handler);
  assert.ok(allowOf(handler), handler);
});

function serverToken(url) {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ aud: url, iat: now, exp: now + 300 })}`;
  return `${head}.${createHmac('sha256', KEY).update(head).digest('base64url')}`;
}

test("the emulator's REST API answers a known path's other methods with 405 and Allow", async (t) => {
  const emulator = await spawnChatr(['emulator', '--port', '0', '--access-key', KEY]);
  t.after(() => emulator.stop());
  const call = async (method, pathAndQuery) => {
    const url = `${emulator.ready.emulator}/api/hubs/chat${pathAndQuery}?api-version=2024-01-01`;
    return fetch(url, { method, headers: { authorization: `Bearer ${serverToken(url.replace('127.0.0.1', 'localhost'))}` } });
  };
  const send = await call('GET', '/:send');
  assert.equal(send.status, 405);
  assert.equal(send.headers.get('allow'), 'POST');
  assert.equal((await send.json()).code, 'MethodNotAllowed');
  const membership = await call('POST', '/groups/g/connections/c');
  assert.equal(membership.status, 405);
  assert.equal(membership.headers.get('allow'), 'PUT, DELETE');
  assert.equal((await call('GET', '/no/such/path')).status, 404);
});
