// The same chat behind the real SWA CLI (`swa start`, npm @azure/static-web-apps-cli):
// `chatr emulator` + `chatr serve` + `swa start client --api-devserver-url … --swa-config-location .`.
// The CLI's login page needs a CDN, so the test sets its auth cookie directly, as the CLI's page would.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { inbox } from '../inbox.mjs';
import { freePort, REPO, spawnChatr } from '../spawn-chatr.mjs';

const swaBin = path.join(REPO, 'node_modules/.bin/swa');
const ROOM = '0f8fad5b-d9cb-469f-a165-70867728950e';
/** The chatr processes (emulator, handler), stopped after the suite. */
const chatrs = [];
let swa;

async function waitForHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { redirect: 'manual' });
      if (r.status < 500) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const principal = {
  identityProvider: 'github',
  userId: 'swa-cli-user-1',
  userDetails: 'swauser',
  userRoles: ['anonymous', 'authenticated'],
  claims: [],
};
const cookie = `StaticWebAppsAuthCookie=${Buffer.from(JSON.stringify(principal)).toString('base64')}`;
let site;

before(async () => {
  const swaPort = await freePort();
  site = `http://127.0.0.1:${swaPort}`;
  const emulator = await spawnChatr(['emulator', '--port', '0', '--event-handler', `${site}/api/eventHandler`], { timeoutMs: 30_000 });
  chatrs.push(emulator);
  const handler = await spawnChatr(['serve'], {
    env: {
      WebPubSubConnectionString: emulator.ready.connectionString,
      FUNCTIONS_CUSTOMHANDLER_PORT: '0',
      CHATR_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'chatr-swa-')),
    },
    timeoutMs: 30_000,
  });
  chatrs.push(handler);
  swa = spawn(
    swaBin,
    [
      'start',
      'client',
      '--api-devserver-url',
      handler.ready.handler,
      '--swa-config-location',
      '.',
      '--port',
      String(swaPort),
      '--host',
      '127.0.0.1',
    ],
    // Its own process group: the CLI starts helpers of its own, and the whole group is stopped.
    {
      cwd: REPO,
      env: { ...process.env, SWA_CLI_CAPTURE_TELEMETRY: 'false', NO_UPDATE_NOTIFIER: '1' },
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    },
  );
  await waitForHttp(`${site}/login.html`);
});

after(async () => {
  try {
    if (swa) process.kill(-swa.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  await Promise.all(chatrs.map((c) => c.stop()));
});

test('without the cookie the SWA CLI keeps the API closed as the config says', async () => {
  const r = await fetch(`${site}/api/getToken`, { redirect: 'manual' });
  assert.ok([302, 401].includes(r.status), `got ${r.status}`);
  if (r.status === 302) assert.equal(r.headers.get('location'), '/login.html');
});

test('a signed-in user gets a token through the SWA CLI, connects, sends a message and reads it back', async () => {
  const me = await (await fetch(`${site}/.auth/me`, { headers: { cookie } })).json();
  assert.equal(me.clientPrincipal.userId, principal.userId);

  const tokenResponse = await fetch(`${site}/api/getToken?userId=someone-else`, { headers: { cookie } });
  assert.equal(tokenResponse.status, 200);
  const { url, token } = await tokenResponse.json();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.sub, principal.userId, 'identity comes from the SWA principal, not the query');

  const ws = new WebSocket(url.replace('localhost', '127.0.0.1'), 'json.webpubsub.azure.v1');
  const frames = inbox(ws);
  const connected = await frames.next((f) => f.type === 'system' && f.event === 'connected');
  assert.equal(connected.userId, principal.userId);
  ws.send(JSON.stringify({ type: 'event', event: 'userConnected', dataType: 'json', data: {} }));
  const online = await frames.next((f) => f.data?.chatEvent === 'userOnline');
  assert.equal(JSON.parse(online.data.data).userName, 'swauser');

  ws.send(JSON.stringify({ type: 'event', event: 'createChat', dataType: 'json', data: { name: 'Via SWA', id: ROOM } }));
  await frames.next((f) => f.data?.chatEvent === 'chatCreated');
  await frames.next((f) => f.group === ROOM && typeof f.data === 'string');
  const message = { chatId: ROOM, text: 'round trip', clientId: 'swa-1' };
  ws.send(JSON.stringify({ type: 'event', event: 'sendMessage', dataType: 'json', data: message }));
  const answer = await frames.next((f) => f.from === 'server' && f.data?.message === 'round trip');
  assert.equal(answer.data.fromUserId, principal.userId);
  const history = await fetch(`${site}/api/chats/${ROOM}/messages?limit=10`, { headers: { cookie } });
  assert.equal(history.status, 200);
  const { messages } = await history.json();
  assert.deepEqual(
    messages.map((m) => [m.id, m.message, m.fromUserId]),
    [[answer.data.id, 'round trip', principal.userId]],
    'kept, and read back through the SWA CLI',
  );

  const chats = await (await fetch(`${site}/api/chats`, { headers: { cookie } })).json();
  assert.equal(chats.chats[ROOM].name, 'Via SWA');
  ws.close();
});
