// Group membership, closing connections and existence checks through `@azure/web-pubsub`'s
// `WebPubSubServiceClient`. Status codes are asserted as the SDK saw them on the wire.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { rest, waitFor, waitGroupMessage } from './harness.mjs';
import { barrier, setup } from './rest-harness.mjs';

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
