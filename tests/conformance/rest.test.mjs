// The data-plane REST API, driven through `@azure/web-pubsub`'s `WebPubSubServiceClient` built
// from the printed connection string (and `:generateToken` through a hand-signed request).
// Status codes are asserted as the SDK saw them on the wire. These tests use a hub other than
// the emulator's `--hub`, which works without an upstream.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  ACCESS_KEY,
  connectClient,
  decodeJwt,
  rest,
  serviceClient,
  signedFetch,
  startEmulator,
  waitFor,
  waitGroupMessage,
  waitServerMessage,
} from './harness.mjs';

const HUB = 'notifications';

function bytes(arrayBuffer) {
  return [...new Uint8Array(arrayBuffer)];
}

/** Sends a unique marker to a connection and waits for it: everything sent before has arrived. */
async function barrier(service, rec) {
  const marker = { barrier: Math.random().toString(36).slice(2) };
  const r = await rest((o) => service.sendToConnection(rec.connectionId, marker, o));
  assert.equal(r.status, 202, 'sendToConnection (barrier) status');
  await waitServerMessage(rec, (m) => m.data?.barrier === marker.barrier, `the barrier message on ${rec.connectionId}`);
}

async function setup(t) {
  const emulator = await startEmulator(t);
  const service = serviceClient(emulator, HUB);
  const connect = (token = {}, options = {}) => connectClient(t, emulator, { hub: HUB, token, options });
  return { emulator, service, connect };
}

describe("the emulator's banner and health endpoint", () => {
  test('it prints a connection string with the endpoint, port and the given access key', async (t) => {
    const emulator = await startEmulator(t);
    assert.equal(
      emulator.connectionString,
      `Endpoint=http://localhost:${emulator.port};Port=${emulator.port};AccessKey=${ACCESS_KEY};Version=1.0;`,
    );
    // The ready line is for scripts; the banner, for people, still says the same.
    assert.ok(
      emulator.stdout.startsWith(
        `chatr emulator: listening on http://127.0.0.1:${emulator.port}\n  connection string: ${emulator.connectionString}\n  hub chat: events go to `,
      ),
      emulator.stdout,
    );
  });

  test('HEAD /api/health answers 200 without a token', async (t) => {
    const emulator = await startEmulator(t);
    const res = await fetch(`${emulator.endpoint}/api/health`, { method: 'HEAD' });
    assert.equal(res.status, 200);
  });
});

describe('sending through WebPubSubServiceClient', () => {
  test('sendToAll answers 202 and delivers JSON, text and binary to every connection but the excluded', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    const b = await connect({ userId: 'b' });

    const json = await rest((o) => service.sendToAll({ hello: 'world' }, { ...o, excludedConnections: [b.connectionId] }));
    assert.equal(json.status, 202, 'sendToAll (json, excluded b)');
    const text = await rest((o) => service.sendToAll('plain words', { ...o, contentType: 'text/plain' }));
    assert.equal(text.status, 202, 'sendToAll (text)');
    const binary = await rest((o) => service.sendToAll(new Uint8Array([1, 2, 3]), o));
    assert.equal(binary.status, 202, 'sendToAll (binary)');

    for (const rec of [a, b]) {
      await waitFor(() => rec.serverMessages.length >= (rec === a ? 3 : 2), 5000, `messages on ${rec.userId}`);
    }
    assert.deepEqual(
      a.serverMessages.map((m) => [m.from, m.dataType, m.dataType === 'binary' ? bytes(m.data) : m.data]),
      [
        ['server', 'json', { hello: 'world' }],
        ['server', 'text', 'plain words'],
        ['server', 'binary', [1, 2, 3]],
      ],
    );
    // b was excluded from the first send only; it got the next two, so the first is not late.
    assert.deepEqual(
      b.serverMessages.map((m) => m.dataType),
      ['text', 'binary'],
    );
  });

  test('sendToUser answers 202 and reaches every connection of that user and nobody else', async (t) => {
    const { service, connect } = await setup(t);
    const alice1 = await connect({ userId: 'alice' });
    const alice2 = await connect({ userId: 'alice' });
    const bob = await connect({ userId: 'bob' });

    const r = await rest((o) => service.sendToUser('alice', { for: 'alice' }, o));
    assert.equal(r.status, 202);
    await waitServerMessage(alice1, (m) => m.data?.for === 'alice', "alice's first connection");
    await waitServerMessage(alice2, (m) => m.data?.for === 'alice', "alice's second connection");
    await barrier(service, bob);
    assert.equal(bob.serverMessages.filter((m) => m.data?.for).length, 0, "bob got alice's message");
  });

  test('sendToUser for a user with no connection still answers 202', async (t) => {
    const { service } = await setup(t);
    const r = await rest((o) => service.sendToUser('nobody', 'x', { ...o, contentType: 'text/plain' }));
    assert.equal(r.status, 202);
  });

  test('sendToConnection answers 202 and reaches only that connection, even for an unknown id', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    const b = await connect({ userId: 'b' });

    const r = await rest((o) => service.sendToConnection(a.connectionId, { only: 'a' }, o));
    assert.equal(r.status, 202);
    await waitServerMessage(a, (m) => m.data?.only === 'a', 'the message on a');
    await barrier(service, b);
    assert.equal(b.serverMessages.filter((m) => m.data?.only).length, 0);

    const unknown = await rest((o) => service.sendToConnection('no-such-connection', { x: 1 }, o));
    assert.equal(unknown.status, 202, 'fire-and-forget for an unknown connection');
  });

  test('a group send answers 202 and reaches the members but the excluded, as from group with no fromUserId', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a', groups: ['room'] });
    const b = await connect({ userId: 'b', groups: ['room'] });
    const outsider = await connect({ userId: 'c' });

    const first = await rest((o) => service.group('room').sendToAll({ n: 1 }, { ...o, excludedConnections: [b.connectionId] }));
    assert.equal(first.status, 202);
    const second = await rest((o) => service.group('room').sendToAll('two', { ...o, contentType: 'text/plain' }));
    assert.equal(second.status, 202);

    await waitFor(() => a.groupMessages.length >= 2, 5000, 'two group messages on a');
    await waitFor(() => b.groupMessages.length >= 1, 5000, 'one group message on b');
    const m = a.groupMessages[0];
    assert.equal(m.from, 'group');
    assert.equal(m.group, 'room');
    assert.equal(m.dataType, 'json');
    assert.deepEqual(m.data, { n: 1 });
    assert.equal(m.fromUserId ?? null, null, 'a REST group send has no sender');
    assert.deepEqual(
      b.groupMessages.map((x) => x.data),
      ['two'],
      'b was excluded from the first send',
    );
    await barrier(service, outsider);
    assert.equal(outsider.groupMessages.length, 0, 'a non-member got a group message');
  });
});

describe('user ids and group names outside ASCII', () => {
  test('a user id and a group name with non-ASCII characters and spaces work in every REST path', async (t) => {
    const { service, connect } = await setup(t);
    const zoe = await connect({ userId: 'zoë ü/1' });
    assert.equal(zoe.userId, 'zoë ü/1');
    assert.equal(await service.userExists('zoë ü/1'), true);
    let r = await rest((o) => service.sendToUser('zoë ü/1', { hi: 'zoë' }, o));
    assert.equal(r.status, 202);
    await waitServerMessage(zoe, (m) => m.data?.hi === 'zoë', 'the message to zoë');
    r = await rest((o) => service.group('café crème').addUser('zoë ü/1', o));
    assert.equal(r.status, 200);
    assert.equal(await service.groupExists('café crème'), true);
    await service.group('café crème').sendToAll('bonjour', { contentType: 'text/plain' });
    const m = await waitGroupMessage(zoe, (x) => x.data === 'bonjour', 'the group message');
    assert.equal(m.group, 'café crème');
  });
});

describe('group membership through WebPubSubServiceClient', () => {
  test('addConnection answers 200 and removeConnection 204, and membership follows', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    const group = service.group('room');

    const add = await rest((o) => group.addConnection(a.connectionId, o));
    assert.equal(add.status, 200, 'addConnection');
    await group.sendToAll({ step: 'after add' });
    await waitGroupMessage(a, (m) => m.data?.step === 'after add', 'the group message after add');

    const remove = await rest((o) => group.removeConnection(a.connectionId, o));
    assert.equal(remove.status, 204, 'removeConnection');
    await group.sendToAll({ step: 'after remove' });
    await barrier(service, a);
    assert.equal(a.groupMessages.filter((m) => m.data?.step === 'after remove').length, 0);
  });

  test('addConnection for a connection that does not exist answers 404', async (t) => {
    const { service } = await setup(t);
    const r = await rest((o) => service.group('room').addConnection('no-such-connection', o));
    assert.equal(r.status, 404);
    assert.ok(r.error, 'the SDK rejects');
  });

  test('removeConnection for a connection that does not exist answers 204', async (t) => {
    const { service } = await setup(t);
    const r = await rest((o) => service.group('room').removeConnection('no-such-connection', o));
    assert.equal(r.status, 204);
  });

  test("addUser answers 200 and adds only the user's current connections", async (t) => {
    const { service, connect } = await setup(t);
    const before = await connect({ userId: 'alice' });
    const r = await rest((o) => service.group('room').addUser('alice', o));
    assert.equal(r.status, 200);
    const after = await connect({ userId: 'alice' });

    await service.group('room').sendToAll({ hello: 'room' });
    await waitGroupMessage(before, (m) => m.data?.hello === 'room', 'the group message on the earlier connection');
    await barrier(service, after);
    assert.equal(after.groupMessages.length, 0, 'a connection opened after addUser joined the group');
  });

  test('addUser for a user without connections answers 404', async (t) => {
    const { service } = await setup(t);
    const r = await rest((o) => service.group('room').addUser('ghost', o));
    assert.equal(r.status, 404);
    assert.ok(r.error, 'the SDK rejects');
  });

  test('removeUser answers 204 and takes every connection of the user out of the group', async (t) => {
    const { service, connect } = await setup(t);
    const a1 = await connect({ userId: 'alice', groups: ['room', 'other'] });
    const a2 = await connect({ userId: 'alice', groups: ['room'] });
    const r = await rest((o) => service.group('room').removeUser('alice', o));
    assert.equal(r.status, 204);

    await service.group('room').sendToAll({ g: 'room' });
    await service.group('other').sendToAll({ g: 'other' });
    await waitGroupMessage(a1, (m) => m.data?.g === 'other', 'the message of the group alice is still in');
    await barrier(service, a2);
    assert.deepEqual(
      [...a1.groupMessages, ...a2.groupMessages].map((m) => m.data.g),
      ['other'],
    );
  });

  test('removeUserFromAllGroups answers 204 and empties every group of the user', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'alice', groups: ['g1', 'g2'] });
    const bob = await connect({ userId: 'bob', groups: ['g1'] });
    const r = await rest((o) => service.removeUserFromAllGroups('alice', o));
    assert.equal(r.status, 204);

    assert.equal(await service.groupExists('g2'), false, 'g2 still has members');
    await service.group('g1').sendToAll({ to: 'g1' });
    await waitGroupMessage(bob, (m) => m.data?.to === 'g1', 'bob, still in g1');
    await barrier(service, a);
    assert.equal(a.groupMessages.length, 0);
  });

  test('removeConnectionFromAllGroups answers 204 and empties every group of the connection', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'alice', groups: ['g1', 'g2'] });
    const r = await rest((o) => service.removeConnectionFromAllGroups(a.connectionId, o));
    assert.equal(r.status, 204);
    assert.equal(await service.groupExists('g1'), false);
    assert.equal(await service.groupExists('g2'), false);
  });
});

describe('closing connections through WebPubSubServiceClient', () => {
  test('closeConnection answers 204, tells the client the reason and the connection is gone', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    assert.equal(await service.connectionExists(a.connectionId), true);

    const r = await rest((o) => service.closeConnection(a.connectionId, { ...o, reason: 'kicked out' }));
    assert.equal(r.status, 204);
    const d = await waitFor(() => a.disconnected[0], 5000, "the client's disconnected event");
    assert.equal(d.connectionId, a.connectionId);
    assert.equal(d.message?.message, 'kicked out', 'the disconnected system message carries the reason');
    await waitFor(async () => (await service.connectionExists(a.connectionId)) === false, 5000, 'the connection to be gone');
  });

  test('closeAllConnections answers 204 and closes every connection but the excluded', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    const b = await connect({ userId: 'b' });
    const r = await rest((o) => service.closeAllConnections({ ...o, excluded: [b.connectionId] }));
    assert.equal(r.status, 204);
    await waitFor(() => a.disconnected.length === 1, 5000, 'a to be disconnected');
    await barrier(service, b);
    assert.equal(b.disconnected.length, 0, 'the excluded connection was closed');
    assert.equal(await service.connectionExists(b.connectionId), true);
  });

  test("closing a group's connections answers 204 and closes only its members", async (t) => {
    const { service, connect } = await setup(t);
    const member = await connect({ userId: 'm', groups: ['room'] });
    const outsider = await connect({ userId: 'o' });
    const r = await rest((o) => service.group('room').closeAllConnections({ ...o, reason: 'room closed' }));
    assert.equal(r.status, 204);
    const d = await waitFor(() => member.disconnected[0], 5000, 'the member to be disconnected');
    assert.equal(d.message?.message, 'room closed');
    await barrier(service, outsider);
    assert.equal(outsider.disconnected.length, 0);
  });

  test('closeUserConnections answers 204 and closes every connection of that user only', async (t) => {
    const { service, connect } = await setup(t);
    const a1 = await connect({ userId: 'alice' });
    const a2 = await connect({ userId: 'alice' });
    const bob = await connect({ userId: 'bob' });
    const r = await rest((o) => service.closeUserConnections('alice', o));
    assert.equal(r.status, 204);
    await waitFor(() => a1.disconnected.length && a2.disconnected.length, 5000, "both of alice's connections to close");
    await barrier(service, bob);
    assert.equal(bob.disconnected.length, 0);
    assert.equal(await service.userExists('alice'), false);
  });
});

describe('existence checks through WebPubSubServiceClient', () => {
  test('connectionExists, userExists and groupExists answer 200 for live ones and 404 otherwise', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'alice', groups: ['room'] });
    const cases = [
      ['connectionExists(live)', (o) => service.connectionExists(a.connectionId, o), 200, true],
      ['connectionExists(unknown)', (o) => service.connectionExists('nope', o), 404, false],
      ['userExists(alice)', (o) => service.userExists('alice', o), 200, true],
      ['userExists(bob)', (o) => service.userExists('bob', o), 404, false],
      ['groupExists(room)', (o) => service.groupExists('room', o), 200, true],
      ['groupExists(empty)', (o) => service.groupExists('empty', o), 404, false],
    ];
    for (const [name, op, status, value] of cases) {
      const r = await rest(op);
      assert.equal(r.status, status, `${name} status`);
      assert.equal(r.result, value, `${name} result`);
    }
  });
});

describe('permissions through WebPubSubServiceClient', () => {
  test('grant answers 200, check 200/404 per targetName, revoke 204, and the grant is enforced', async (t) => {
    const { service, connect } = await setup(t);
    const member = await connect({ userId: 'member', groups: ['room'] });
    const a = await connect({ userId: 'a' });
    const check = (target) => rest((o) => service.hasPermission(a.connectionId, 'sendToGroup', { ...o, targetName: target }));

    let r = await check('room');
    assert.deepEqual([r.status, r.result], [404, false], 'before the grant');
    await assert.rejects(a.client.sendToGroup('room', 'too early', 'text'), (e) => e.errorDetail?.name === 'Forbidden');

    r = await rest((o) => service.grantPermission(a.connectionId, 'sendToGroup', { ...o, targetName: 'room' }));
    assert.equal(r.status, 200, 'grantPermission');
    r = await check('room');
    assert.deepEqual([r.status, r.result], [200, true], 'after the grant, on room');
    r = await check('elsewhere');
    assert.deepEqual([r.status, r.result], [404, false], 'after the grant, on another group');

    await a.client.sendToGroup('room', 'granted', 'text');
    await waitGroupMessage(member, (m) => m.data === 'granted', 'the granted send on the member');
    await assert.rejects(a.client.sendToGroup('elsewhere', 'no', 'text'), (e) => e.errorDetail?.name === 'Forbidden');

    r = await rest((o) => service.revokePermission(a.connectionId, 'sendToGroup', { ...o, targetName: 'room' }));
    assert.equal(r.status, 204, 'revokePermission');
    r = await check('room');
    assert.deepEqual([r.status, r.result], [404, false], 'after the revoke');
    await assert.rejects(a.client.sendToGroup('room', 'revoked', 'text'), (e) => e.errorDetail?.name === 'Forbidden');
    await barrier(service, member);
    assert.deepEqual(
      member.groupMessages.map((m) => m.data),
      ['granted'],
    );
  });

  test('a granted joinLeaveGroup lets a connection join that group', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    await assert.rejects(a.client.joinGroup('room'), (e) => e.errorDetail?.name === 'Forbidden');
    const r = await rest((o) => service.grantPermission(a.connectionId, 'joinLeaveGroup', { ...o, targetName: 'room' }));
    assert.equal(r.status, 200);
    await a.client.joinGroup('room');
    assert.equal(await service.groupExists('room'), true);
    await a.client.leaveGroup('room');
    assert.equal(await service.groupExists('room'), false);
  });

  test('a grant without targetName covers every group', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a' });
    const r = await rest((o) => service.grantPermission(a.connectionId, 'joinLeaveGroup', o));
    assert.equal(r.status, 200);
    const any = await rest((o) => service.hasPermission(a.connectionId, 'joinLeaveGroup', { ...o, targetName: 'any' }));
    assert.deepEqual([any.status, any.result], [200, true]);
    await a.client.joinGroup('whatever');
    assert.equal(await service.groupExists('whatever'), true);
  });
});

describe('REST authentication', () => {
  test('a call signed with another access key is refused with 401', async (t) => {
    const emulator = await startEmulator(t);
    const wrong = serviceClient({ ...emulator, connectionString: emulator.connectionString.replace(ACCESS_KEY, 'x'.repeat(44)) }, HUB);
    const r = await rest((o) => wrong.sendToAll({ x: 1 }, o));
    assert.equal(r.status, 401);
  });

  test('a bearer whose aud leaves out the query string is refused with 401', async (t) => {
    const emulator = await startEmulator(t);
    const path = `/api/hubs/${HUB}/:send?api-version=2024-01-01`;
    const res = await signedFetch(emulator, 'POST', path, {
      aud: `${emulator.endpoint}/api/hubs/${HUB}/:send`,
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 401);
    const ok = await signedFetch(emulator, 'POST', path, {
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(ok.status, 202, 'the same call with aud = the full URL');
  });
});

describe(':generateToken', () => {
  test('it answers 200 with an HS256 token carrying the user, roles, groups, lifetime and issuer asked for', async (t) => {
    const emulator = await startEmulator(t);
    const query =
      'api-version=2024-01-01&userId=alice&role=webpubsub.joinLeaveGroup&role=webpubsub.sendToGroup.room' +
      '&group=room&group=lobby&minutesToExpire=5';
    const before = Math.floor(Date.now() / 1000);
    const res = await signedFetch(emulator, 'POST', `/api/hubs/${HUB}/:generateToken?${query}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const { token } = await res.json();
    assert.equal(typeof token, 'string');

    const { header, payload, signatureValid } = decodeJwt(token);
    assert.equal(header.alg, 'HS256');
    assert.ok(signatureValid, "signed with the access key's UTF-8 bytes");
    assert.equal(payload.aud.toLowerCase(), `http://localhost:${emulator.port}/client/hubs/${HUB}`);
    assert.equal(payload.sub, 'alice');
    assert.deepEqual(payload.role, ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup.room']);
    assert.deepEqual(payload['webpubsub.group'], ['room', 'lobby']);
    assert.equal(payload.iss, 'https://webpubsub.azure.com');
    assert.ok(payload.exp - before >= 5 * 60 - 2 && payload.exp - before <= 5 * 60 + 5, `exp ${payload.exp} is 5 minutes ahead`);
    assert.equal(typeof payload.nbf, 'number');
  });

  test('the token it mints connects the SDK client as that user, in those groups, with those roles', async (t) => {
    const emulator = await startEmulator(t);
    const service = serviceClient(emulator, HUB);
    const query = 'api-version=2024-01-01&userId=zoe&role=webpubsub.sendToGroup.room&group=room';
    const res = await signedFetch(emulator, 'POST', `/api/hubs/${HUB}/:generateToken?${query}`);
    assert.equal(res.status, 200);
    const { token } = await res.json();
    const zoe = await connectClient(t, emulator, {
      hub: HUB,
      url: `${emulator.wsEndpoint}/client/hubs/${HUB}?access_token=${token}`,
    });
    assert.equal(zoe.userId, 'zoe');
    await service.group('room').sendToAll({ hi: 'room' });
    await waitGroupMessage(zoe, (m) => m.data?.hi === 'room', 'the group message (group claim)');
    await zoe.client.sendToGroup('room', 'from zoe', 'text'); // role claim
    const echo = await waitGroupMessage(zoe, (m) => m.data === 'from zoe', "zoe's own group message");
    assert.equal(echo.fromUserId, 'zoe');
  });

  test('it also takes the TypeSpec spellings roles and groups', async (t) => {
    const emulator = await startEmulator(t);
    const query = 'api-version=2024-12-01&userId=u&roles=webpubsub.joinLeaveGroup&groups=g';
    const res = await signedFetch(emulator, 'POST', `/api/hubs/${HUB}/:generateToken?${query}`);
    assert.equal(res.status, 200);
    const { payload } = decodeJwt((await res.json()).token);
    assert.deepEqual(payload.role, ['webpubsub.joinLeaveGroup']);
    assert.deepEqual(payload['webpubsub.group'], ['g']);
  });

  test('it refuses a request signed with another key with 401', async (t) => {
    const emulator = await startEmulator(t);
    const res = await signedFetch(emulator, 'POST', `/api/hubs/${HUB}/:generateToken?api-version=2024-01-01&userId=x`, {
      key: 'another-key-another-key-another-key-0000',
    });
    assert.equal(res.status, 401);
  });
});
