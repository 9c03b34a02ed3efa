// Sending through `@azure/web-pubsub`'s `WebPubSubServiceClient` built from the printed
// connection string, and the banner that prints it. Status codes are asserted as the SDK saw
// them on the wire.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ACCESS_KEY, rest, startEmulator, waitFor, waitGroupMessage, waitServerMessage } from './harness.mjs';
import { barrier, bytes, setup } from './rest-harness.mjs';

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
