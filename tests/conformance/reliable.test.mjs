// The reliable subprotocol as the official client uses it by default: sequence ids, acks,
// recovery after a socket cut without a close frame, session expiry, and keep-alive.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';

import { WebPubSubClient } from '@azure/web-pubsub-client';

import {
  clientUrl,
  connectClient,
  defer,
  HUB,
  openRaw,
  RELIABLE_SUBPROTOCOL,
  startEmulator,
  startStack,
  waitFor,
  wrapClient,
} from './harness.mjs';

const ROLES = ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'];

/**
 * A TCP proxy to 127.0.0.1:`port` that a test can cut: `cut()` destroys every open socket
 * pair without a WebSocket close frame and refuses new connections until `restore()`;
 * `freeze()` keeps sockets open but stops carrying bytes.
 */
async function startProxy(t, port) {
  const pairs = new Set();
  let mode = 'up';
  const server = net.createServer((client) => {
    if (mode !== 'up') {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    const forward = (from, to) =>
      from.on('data', (chunk) => {
        if (mode === 'up') to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  defer(t, async () => {
    for (const p of pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await new Promise((resolve) => server.close(() => resolve()));
  });
  return {
    port: server.address().port,
    cut() {
      mode = 'down';
      for (const p of pairs) {
        p.client.resetAndDestroy();
        p.upstream.resetAndDestroy();
      }
    },
    freeze() {
      mode = 'frozen';
    },
    restore() {
      mode = 'up';
    },
  };
}

/** The client access URL, but through the proxy. */
function viaProxy(url, proxy) {
  const u = new URL(url);
  u.host = `127.0.0.1:${proxy.port}`;
  return u.toString();
}

describe('json.reliable.webpubsub.azure.v1 with the official client', () => {
  test('the default WebPubSubClient (no protocol given) connects, joins, sends and receives', async (t) => {
    const emulator = await startEmulator(t, { systemEvents: '' });
    const url = await clientUrl(emulator, { userId: 'default-user', roles: ROLES });
    // Default protocol; short keep-alive timers only so that the process exits promptly (the
    // SDK's timers are not cancelled when it stops).
    const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 500, keepAliveTimeoutInMs: 5000 });
    const rec = wrapClient(client);
    defer(t, () => client.stop());
    await client.start();
    await waitFor(() => rec.connected.length > 0, 5000, 'the connected event');
    await client.joinGroup('room');
    await client.sendToGroup('room', { n: 1 }, 'json');
    const got = await waitFor(() => rec.groupMessages.find((m) => m.data?.n === 1), 5000, 'the echo');
    assert.equal(got.fromUserId, 'default-user');
    assert.equal(typeof got.sequenceId, 'number', 'reliable messages carry sequence ids');
  });

  test('sequence ids start at 1 per connection and the connected frame carries a reconnection token', async (t) => {
    const emulator = await startEmulator(t, { systemEvents: '' });
    const url = await clientUrl(emulator, { userId: 'raw', roles: ROLES });
    const sock = await openRaw(t, url, [RELIABLE_SUBPROTOCOL]);
    const hello = await sock.next((f) => f.type === 'system' && f.event === 'connected');
    assert.equal(typeof hello.reconnectionToken, 'string');
    sock.sendJson({ type: 'joinGroup', group: 'g', ackId: 1 });
    await sock.next((f) => f.type === 'ack' && f.ackId === 1);
    for (const n of [1, 2, 3]) sock.sendJson({ type: 'sendToGroup', group: 'g', dataType: 'text', data: `m${n}` });
    await waitFor(() => sock.frames.filter((f) => f.json?.type === 'message').length === 3, 5000, 'three messages');
    const ids = sock.frames.filter((f) => f.json?.type === 'message').map((f) => f.json.sequenceId);
    assert.deepEqual(ids, [1, 2, 3]);
    assert.ok(
      sock.frames.filter((f) => f.json?.type === 'ack').every((f) => f.json.sequenceId === undefined),
      'acks carry no sequence id',
    );
  });

  test('after a socket cut without a close frame the SDK recovers, every message arrives once and in order, and disconnected waits for expiry', async (t) => {
    const { upstream, emulator, service } = await startStack(t, { timing: { 'reconnect-window-secs': 3 } });
    const proxy = await startProxy(t, emulator.port);
    const url = viaProxy(await clientUrl(emulator, { userId: 'traveller', roles: ROLES }), proxy);
    const client = new WebPubSubClient(url, { autoReconnect: false, keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    const rec = wrapClient(client);
    defer(t, () => client.stop());
    await client.start();
    await waitFor(() => rec.connected.length > 0, 5000, 'connected');
    const connectionId = rec.connected[0].connectionId;
    await client.joinGroup('room');
    const other = await connectClient(t, emulator, { token: { userId: 'other', roles: ROLES } });
    await other.client.joinGroup('room');

    await client.sendToGroup('room', 'before', 'text');
    await waitFor(() => rec.groupMessages.some((m) => m.data === 'before'), 5000, 'the message before the cut');

    proxy.cut();
    // While the socket is down: the server and another client send to the group.
    for (const n of [1, 2, 3]) await service.group('room').sendToAll(`server ${n}`, { contentType: 'text/plain' });
    for (const n of [1, 2, 3]) await other.client.sendToGroup('room', `peer ${n}`, 'text');
    await waitFor(() => other.groupMessages.filter((m) => String(m.data).startsWith('peer')).length === 3, 5000, "the peer's own echoes");
    const disconnectedEarly = () => upstream.eventsOf(connectionId).some((r) => r.headers['ce-eventname'] === 'disconnected');
    assert.equal(disconnectedEarly(), false, 'no disconnected while the session waits for recovery');

    proxy.restore();
    const expected = ['server 1', 'server 2', 'server 3', 'peer 1', 'peer 2', 'peer 3'];
    await waitFor(
      () => rec.groupMessages.filter((m) => expected.includes(m.data)).length >= expected.length,
      15000,
      'the replayed messages',
    );
    const received = rec.groupMessages.map((m) => m.data).filter((d) => d !== 'before');
    assert.deepEqual(received, expected, 'once each, in order');
    assert.equal(rec.connected.length, 1, 'recovered, not a new connection');
    assert.equal(disconnectedEarly(), false);

    // The session keeps working after recovery.
    await client.sendToGroup('room', 'after', 'text');
    await waitFor(() => rec.groupMessages.some((m) => m.data === 'after'), 5000, 'a message after recovery');

    // Cut again and stay down: after the window the session expires and only then does the
    // upstream hear disconnected.
    proxy.cut();
    await waitFor(disconnectedEarly, 10000, 'disconnected after the reconnect window');
    const exists = await service.connectionExists(connectionId);
    assert.equal(exists, false);
    // The SDK's next recovery attempt is accepted and closed with 1008, and it gives up.
    proxy.restore();
    await waitFor(() => rec.stopped > 0, 10000, 'the client to stop after a refused recovery');
  });

  test('a close frame without a status code ends the session at once: no recovery, disconnected now', async (t) => {
    // The default reconnect window (30 s) is far longer than the wait below: a session kept for
    // recovery would fail this test.
    const { upstream, emulator } = await startStack(t);
    const url = await clientUrl(emulator, { userId: 'leaver', roles: ROLES });
    const sock = await openRaw(t, url, [RELIABLE_SUBPROTOCOL]);
    const hello = await sock.next((f) => f.event === 'connected');
    sock.ws.close(); // no code: an empty close frame (RFC 6455 §5.5.1)
    const closed = await sock.waitClosed();
    assert.equal(closed.code, 1005, 'the service answers the empty close frame with an empty one');
    const disconnected = () => upstream.eventsOf(hello.connectionId).some((r) => r.headers['ce-eventname'] === 'disconnected');
    await waitFor(disconnected, 5000, 'disconnected right after the close frame');
    const recovery = `${emulator.wsEndpoint}/client/hubs/${HUB}?awps_connection_id=${hello.connectionId}&awps_reconnection_token=${encodeURIComponent(hello.reconnectionToken)}`;
    const again = await openRaw(t, recovery, [RELIABLE_SUBPROTOCOL]);
    assert.equal((await again.waitClosed()).code, 1008, 'an ended session cannot be recovered');
  });

  test('a recovery with a wrong token is accepted and closed with 1008', async (t) => {
    const emulator = await startEmulator(t, { systemEvents: '' });
    const url = await clientUrl(emulator, { userId: 'u', roles: ROLES });
    const first = await openRaw(t, url, [RELIABLE_SUBPROTOCOL]);
    const hello = await first.next((f) => f.event === 'connected');
    const recovery = `${emulator.wsEndpoint}/client/hubs/${HUB}?awps_connection_id=${hello.connectionId}&awps_reconnection_token=wrong`;
    const sock = await openRaw(t, recovery, [RELIABLE_SUBPROTOCOL]);
    assert.equal(sock.protocol, RELIABLE_SUBPROTOCOL);
    const closed = await sock.waitClosed();
    assert.equal(closed.code, 1008);
  });
});

describe('keep-alive', () => {
  test('ping is answered with pong on the reliable protocol too', async (t) => {
    const emulator = await startEmulator(t, { systemEvents: '' });
    const sock = await openRaw(t, await clientUrl(emulator, { userId: 'p' }), [RELIABLE_SUBPROTOCOL]);
    sock.sendJson({ type: 'ping' });
    assert.deepEqual(await sock.next((f) => f.type === 'pong'), { type: 'pong' });
  });

  test('the service pings, and a connection silent past the timeout is closed', async (t) => {
    const { upstream, emulator, service } = await startStack(t, { timing: { 'keep-alive-secs': 1, 'idle-timeout-secs': 2 } });
    // A live client answers the service's pings and stays.
    const alive = await openRaw(t, await clientUrl(emulator, { userId: 'alive' }));
    let pings = 0;
    alive.ws.on('ping', () => (pings += 1));
    const aliveHello = await alive.next((f) => f.event === 'connected');
    // A client behind a frozen proxy answers nothing.
    const proxy = await startProxy(t, emulator.port);
    const silent = await openRaw(t, viaProxy(await clientUrl(emulator, { userId: 'silent' }), proxy));
    const silentHello = await silent.next((f) => f.event === 'connected');
    proxy.freeze();
    await waitFor(
      () => upstream.eventsOf(silentHello.connectionId).some((r) => r.headers['ce-eventname'] === 'disconnected'),
      8000,
      "the silent connection's disconnected",
    );
    assert.ok(pings >= 1, 'the service sends WebSocket pings');
    assert.equal(await service.connectionExists(aliveHello.connectionId), true, 'the answering client stays');
    assert.equal(await service.connectionExists(silentHello.connectionId), false);
  });
});
