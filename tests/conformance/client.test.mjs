// `@azure/web-pubsub-client` with `WebPubSubJsonProtocol()` against the emulator: connecting,
// groups, acks, keep-alive and every refusal a client can meet. The hub is not the emulator's
// `--hub`, so no upstream is involved here (see upstream.test.mjs for events).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { WebPubSubClient, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';

import {
  clientUrl,
  connectClient,
  defer,
  openRaw,
  serviceClient,
  signJwt,
  startEmulator,
  waitFor,
  waitGroupMessage,
  waitServerMessage,
  within,
} from './harness.mjs';

const HUB = 'lobby';
const ALL_GROUP_ROLES = ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'];

async function setup(t) {
  const emulator = await startEmulator(t);
  const service = serviceClient(emulator, HUB);
  const connect = (token = {}, options = {}) => connectClient(t, emulator, { hub: HUB, token, options });
  return { emulator, service, connect };
}

async function barrier(service, rec) {
  const marker = Math.random().toString(36).slice(2);
  await service.sendToConnection(rec.connectionId, { barrier: marker });
  await waitServerMessage(rec, (m) => m.data?.barrier === marker, `the barrier on ${rec.userId}`);
}

/** A client that is expected NOT to start; returns the error `start()` rejected with. */
async function startFails(t, url) {
  const client = new WebPubSubClient(url, {
    protocol: WebPubSubJsonProtocol(),
    autoReconnect: false,
    keepAliveIntervalInMs: 0,
    keepAliveTimeoutInMs: 0,
    messageRetryOptions: { maxRetries: 0 },
  });
  defer(t, () => client.stop());
  return within(
    client.start().then(
      () => assert.fail('start() succeeded'),
      (e) => e,
    ),
    5000,
    'start() to settle',
  );
}

describe('connecting with WebPubSubJsonProtocol', () => {
  test("start() succeeds and the connected event carries the token's userId and a connection id the service knows", async (t) => {
    const { service, connect } = await setup(t);
    const alice = await connect({ userId: 'alice' });
    assert.equal(alice.userId, 'alice');
    assert.match(alice.connectionId, /^\S+$/);
    assert.equal(alice.connected.length, 1);
    assert.equal(await service.connectionExists(alice.connectionId), true);
    assert.equal(await service.userExists('alice'), true);
  });

  test('two connections get different connection ids', async (t) => {
    const { connect } = await setup(t);
    const a = await connect({ userId: 'u' });
    const b = await connect({ userId: 'u' });
    assert.notEqual(a.connectionId, b.connectionId);
  });

  test('a token without a user connects with no userId', async (t) => {
    const { connect } = await setup(t);
    const anon = await connect({});
    assert.equal(anon.userId ?? null, null);
  });

  test('the groups in the token are joined at connect', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a', groups: ['news', 'sport'] });
    assert.equal(await service.groupExists('news'), true);
    assert.equal(await service.groupExists('sport'), true);
    await service.group('sport').sendToAll({ goal: 1 });
    const m = await waitGroupMessage(a, (x) => x.group === 'sport', 'the sport message');
    assert.deepEqual(m.data, { goal: 1 });
  });

  test('the keep-alive ping is answered, so a client with a short keep-alive timeout stays connected', async (t) => {
    const { connect } = await setup(t);
    const a = await connect({ userId: 'a' }, { keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 1000 });
    // Count the pongs on the SDK's own socket (the SDK also closes itself after 1 s of silence).
    const socket = a.client._wsClient._socket;
    let pongs = 0;
    socket.on('message', (data) => {
      if (JSON.parse(data.toString()).type === 'pong') pongs += 1;
    });
    await waitFor(() => pongs >= 8, 5000, 'eight pong frames');
    assert.equal(a.disconnected.length, 0, 'the client closed itself: no pong kept it alive');
    assert.equal(a.stopped, 0);
  });
});

describe('--allowed-origins', () => {
  test('a page of another origin is refused with 403; the allowed page and clients with no Origin connect', async (t) => {
    const emulator = await startEmulator(t, { allowedOrigins: 'http://localhost:4280', systemEvents: '' });
    const url = await clientUrl(emulator, { userId: 'a' });
    const evil = await openRaw(t, url, undefined, { origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    assert.match(evil.body, /origin is not allowed/);
    const page = await openRaw(t, await clientUrl(emulator, { userId: 'a' }), undefined, { origin: 'http://localhost:4280' });
    assert.equal(page.status, undefined, `the allowed page was refused (${page.status} ${page.body})`);
    await page.next((f) => f.type === 'system' && f.event === 'connected', 'its connected frame');
    const { client } = await connectClient(t, emulator, { token: { userId: 'b' } });
    assert.ok(client, 'the SDK (no Origin) connects');
  });
});

describe('groups through the client SDK', () => {
  test('joinGroup, sendToGroup (json, text, binary) and leaveGroup work with the group roles', async (t) => {
    const { service, connect } = await setup(t);
    const alice = await connect({ userId: 'alice', roles: ALL_GROUP_ROLES });
    const bob = await connect({ userId: 'bob', roles: ['webpubsub.joinLeaveGroup'] });

    assert.deepEqual(await alice.client.joinGroup('room'), { ackId: 1, isDuplicated: false });
    await bob.client.joinGroup('room');
    await alice.client.sendToGroup('room', { n: 1 }, 'json');
    await alice.client.sendToGroup('room', 'two', 'text');
    await alice.client.sendToGroup('room', new Uint8Array([3, 4, 5]).buffer, 'binary');

    await waitFor(() => bob.groupMessages.length >= 3, 5000, 'three group messages on bob');
    const seen = bob.groupMessages.map((m) => [
      m.from,
      m.group,
      m.fromUserId,
      m.dataType,
      m.dataType === 'binary' ? [...new Uint8Array(m.data)] : m.data,
    ]);
    assert.deepEqual(seen, [
      ['group', 'room', 'alice', 'json', { n: 1 }],
      ['group', 'room', 'alice', 'text', 'two'],
      ['group', 'room', 'alice', 'binary', [3, 4, 5]],
    ]);
    // Without noEcho the sender gets its own messages too.
    await waitFor(() => alice.groupMessages.length >= 3, 5000, "alice's own three messages");

    await bob.client.leaveGroup('room');
    await alice.client.sendToGroup('room', 'after leave', 'text');
    await waitGroupMessage(alice, (m) => m.data === 'after leave', "alice's echo after bob left");
    await barrier(service, bob);
    assert.equal(bob.groupMessages.length, 3, 'bob got a message after leaving');
  });

  test('noEcho keeps a message from its own sender but not from the other members', async (t) => {
    const { connect } = await setup(t);
    const alice = await connect({ userId: 'alice', roles: ALL_GROUP_ROLES, groups: ['room'] });
    const bob = await connect({ userId: 'bob', groups: ['room'] });

    await alice.client.sendToGroup('room', 'quiet', 'text', { noEcho: true });
    await alice.client.sendToGroup('room', 'loud', 'text', { noEcho: false });
    await waitFor(() => bob.groupMessages.length >= 2, 5000, 'both messages on bob');
    await waitGroupMessage(alice, (m) => m.data === 'loud', "alice's echo of the second");
    assert.deepEqual(
      alice.groupMessages.map((m) => m.data),
      ['loud'],
      'noEcho was not honoured',
    );
    assert.deepEqual(
      bob.groupMessages.map((m) => m.data),
      ['quiet', 'loud'],
    );
  });

  test('a repeated ackId resolves as a duplicate and is not executed again', async (t) => {
    const { service, connect } = await setup(t);
    const alice = await connect({ userId: 'alice', roles: ALL_GROUP_ROLES, groups: ['room'] });
    const bob = await connect({ userId: 'bob', groups: ['room'] });

    const first = await alice.client.sendToGroup('room', 'once', 'text', { ackId: 42, noEcho: true });
    assert.deepEqual(first, { ackId: 42, isDuplicated: false });
    const again = await alice.client.sendToGroup('room', 'twice', 'text', { ackId: 42, noEcho: true });
    assert.deepEqual(again, { ackId: 42, isDuplicated: true });
    const join = await alice.client.joinGroup('other', { ackId: 42 });
    assert.deepEqual(join, { ackId: 42, isDuplicated: true }, 'a joinGroup reusing the ackId');
    assert.equal(await service.groupExists('other'), false, 'the duplicate joinGroup was executed');

    await barrier(service, bob);
    assert.deepEqual(
      bob.groupMessages.map((m) => m.data),
      ['once'],
    );
  });

  test('ackIds are per connection: another connection may reuse one', async (t) => {
    const { connect } = await setup(t);
    const a = await connect({ userId: 'a', roles: ALL_GROUP_ROLES });
    const b = await connect({ userId: 'b', roles: ALL_GROUP_ROLES });
    assert.deepEqual(await a.client.joinGroup('g', { ackId: 7 }), { ackId: 7, isDuplicated: false });
    assert.deepEqual(await b.client.joinGroup('g', { ackId: 7 }), { ackId: 7, isDuplicated: false });
  });
});

describe('refusals the client SDK meets', () => {
  test('joinGroup without a joinLeaveGroup role is refused with a Forbidden ack and the connection stays', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    const err = await a.client.joinGroup('room').then(
      () => assert.fail('joinGroup succeeded'),
      (e) => e,
    );
    assert.equal(err.name, 'SendMessageError');
    assert.equal(err.errorDetail?.name, 'Forbidden');
    assert.equal(typeof err.errorDetail?.message, 'string');
    assert.equal(await service.groupExists('room'), false);
    assert.equal(await service.connectionExists(a.connectionId), true, 'a refusal closed the connection');
  });

  test('sendToGroup without a sendToGroup role is refused with a Forbidden ack and nothing is delivered', async (t) => {
    const { service, connect } = await setup(t);
    const member = await connect({ userId: 'member', groups: ['room'] });
    const a = await connect({ userId: 'a', roles: ['webpubsub.joinLeaveGroup'] });
    await a.client.joinGroup('room');
    await assert.rejects(a.client.sendToGroup('room', 'nope', 'text'), (e) => {
      assert.equal(e.errorDetail?.name, 'Forbidden');
      return true;
    });
    await barrier(service, member);
    assert.equal(member.groupMessages.length, 0);
  });

  test('leaveGroup without a joinLeaveGroup role is refused with a Forbidden ack and the membership stays', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a', groups: ['room'] });
    await assert.rejects(a.client.leaveGroup('room'), (e) => e.errorDetail?.name === 'Forbidden');
    assert.equal(await service.groupExists('room'), true);
  });

  test('roles scoped to one group give no permission on another', async (t) => {
    const { connect } = await setup(t);
    const a = await connect({
      userId: 'a',
      roles: ['webpubsub.joinLeaveGroup.mine', 'webpubsub.sendToGroup.mine'],
    });
    await a.client.joinGroup('mine');
    await a.client.sendToGroup('mine', 'ok', 'text');
    await waitGroupMessage(a, (m) => m.data === 'ok', 'the echo in the permitted group');
    await assert.rejects(a.client.joinGroup('theirs'), (e) => e.errorDetail?.name === 'Forbidden');
    await assert.rejects(a.client.sendToGroup('theirs', 'no', 'text'), (e) => e.errorDetail?.name === 'Forbidden');
    await assert.rejects(a.client.joinGroup('Mine'), (e) => e.errorDetail?.name === 'Forbidden', 'roles are case-sensitive');
  });

  test('a token signed with another key is refused: start() rejects and the handshake is 401', async (t) => {
    const emulator = await startEmulator(t);
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      { aud: `${emulator.endpoint}/client/hubs/${HUB}`, sub: 'a', iat: now, exp: now + 600 },
      'a-completely-different-access-key-000000',
    );
    const err = await startFails(t, `${emulator.wsEndpoint}/client/hubs/${HUB}?access_token=${token}`);
    assert.match(String(err?.message ?? err), /401/);
  });

  test('an expired token is refused with 401', async (t) => {
    const emulator = await startEmulator(t);
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt({ aud: `${emulator.endpoint}/client/hubs/${HUB}`, iat: now - 7200, exp: now - 3600 });
    const err = await startFails(t, `${emulator.wsEndpoint}/client/hubs/${HUB}?access_token=${token}`);
    assert.match(String(err?.message ?? err), /401/);
  });

  test('a token for another hub is refused with 401', async (t) => {
    const emulator = await startEmulator(t);
    const other = await serviceClient(emulator, 'otherhub').getClientAccessToken({ userId: 'a' });
    const err = await startFails(t, `${emulator.wsEndpoint}/client/hubs/${HUB}?access_token=${other.token}`);
    assert.match(String(err?.message ?? err), /401/);
  });

  test('a connection without any token is refused with 401', async (t) => {
    const emulator = await startEmulator(t);
    const err = await startFails(t, `${emulator.wsEndpoint}/client/hubs/${HUB}`);
    assert.match(String(err?.message ?? err), /401/);
  });

  test("the SDK's own token from a client with the right key is accepted (control)", async (t) => {
    const emulator = await startEmulator(t);
    const url = (await serviceClient(emulator, HUB).getClientAccessToken({ userId: 'ok' })).url;
    assert.ok(url.startsWith(`ws://localhost:${emulator.port}/client/hubs/${HUB}?access_token=`), url);
    const rec = await connectClient(t, emulator, { hub: HUB, url });
    assert.equal(rec.userId, 'ok');
  });
});
