// The OData `filter` through `@azure/web-pubsub`'s `WebPubSubServiceClient`: on sends to all,
// a user and a group, and in `addConnectionsToGroups` / `removeConnectionsFromGroups`, with
// `@azure/web-pubsub-client` connections showing who got what. A filter the emulator cannot
// parse is a 400 that the SDK throws as a RestError.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { odata } from '@azure/web-pubsub';

import { rest } from './harness.mjs';
import { barrier, setup } from './rest-harness.mjs';

/** The `n` of every server message `rec` got, once everything sent before has arrived. */
async function serverNs(service, rec) {
  await barrier(service, rec);
  return rec.serverMessages.filter((m) => m.data?.n !== undefined).map((m) => m.data.n);
}

/** The `n` of every group message `rec` got, once everything sent before has arrived. */
async function groupNs(service, rec) {
  await barrier(service, rec);
  return rec.groupMessages.map((m) => `${m.group}:${m.data.n}`);
}

/** A RestError with this status and error code (the `x-ms-error-code` and body's `code`). */
function restError(status, code) {
  return (e) => {
    assert.equal(e.name, 'RestError');
    assert.equal(e.statusCode, status);
    assert.equal(e.code, code);
    assert.equal(e.response?.headers.get('x-ms-error-code'), code);
    return true;
  };
}

describe('filter on sends', () => {
  test('sendToAll with a filter reaches only the connections it matches, excluded still applying', async (t) => {
    const { service, connect } = await setup(t);
    const alice = await connect({ userId: 'alice', groups: ['room'] });
    const bob = await connect({ userId: 'bob', groups: ['room'] });
    const anonymous = await connect();
    const carol = await connect({ userId: 'carol' });

    const r = await rest((o) => service.sendToAll({ n: 1 }, { ...o, filter: "userId ne 'bob'" }));
    assert.equal(r.status, 202);
    await service.sendToAll({ n: 2 }, { filter: 'userId eq null' });
    await service.sendToAll({ n: 3 }, { filter: "'room' in groups", excludedConnections: [bob.connectionId] });
    await service.sendToAll({ n: 4 }, { filter: "startswith(userId, 'c') or (userId in ('bob', 'zed') and length(groups) eq 1)" });

    assert.deepEqual(await serverNs(service, alice), [1, 3]);
    assert.deepEqual(await serverNs(service, bob), [4]);
    assert.deepEqual(await serverNs(service, anonymous), [1, 2], 'an anonymous userId is null, and null ne bob');
    assert.deepEqual(await serverNs(service, carol), [1, 4]);
  });

  test('a group send with a filter reaches only the members it matches', async (t) => {
    const { service, connect } = await setup(t);
    const alice = await connect({ userId: 'alice', groups: ['room'] });
    const bob = await connect({ userId: 'bob', groups: ['room'] });
    const carol = await connect({ userId: 'carol', groups: ['room'] });
    const dave = await connect({ userId: 'dave' });

    const r = await rest((o) =>
      service.group('room').sendToAll({ n: 1 }, { ...o, filter: "userId ne 'bob'", excludedConnections: [carol.connectionId] }),
    );
    assert.equal(r.status, 202);
    await service.group('room').sendToAll('two', { contentType: 'text/plain', filter: "endswith(userId, 'ob')" });

    assert.deepEqual(await groupNs(service, alice), ['room:1']);
    await barrier(service, bob);
    assert.deepEqual(
      bob.groupMessages.map((m) => m.data),
      ['two'],
    );
    assert.deepEqual(await groupNs(service, carol), [], 'carol was excluded');
    assert.deepEqual(await groupNs(service, dave), [], 'dave matches the filter but is not a member');
  });

  test('sendToUser with a filter reaches only the connections of that user it matches', async (t) => {
    const { service, connect } = await setup(t);
    const first = await connect({ userId: 'alice' });
    const second = await connect({ userId: 'alice' });
    const bob = await connect({ userId: 'bob' });

    const r = await rest((o) => service.sendToUser('alice', { n: 1 }, { ...o, filter: `connectionId eq '${second.connectionId}'` }));
    assert.equal(r.status, 202);
    const none = await rest((o) => service.sendToUser('alice', { n: 2 }, { ...o, filter: 'false' }));
    assert.equal(none.status, 202, 'a filter that matches nobody is still accepted');

    assert.deepEqual(await serverNs(service, first), []);
    assert.deepEqual(await serverNs(service, second), [1]);
    assert.deepEqual(await serverNs(service, bob), []);
  });

  test("a quote in a user id, escaped by the SDK's odata helper, matches that user", async (t) => {
    const { service, connect } = await setup(t);
    const obrien = await connect({ userId: "o'brien" });
    const other = await connect({ userId: 'o' });

    await service.sendToAll({ n: 1 }, { filter: odata`userId eq ${"o'brien"}` });
    assert.deepEqual(await serverNs(service, obrien), [1]);
    assert.deepEqual(await serverNs(service, other), []);
  });
});

describe('addConnectionsToGroups and removeConnectionsFromGroups', () => {
  test('addConnectionsToGroups answers 200 and puts every connection it matches in every group', async (t) => {
    const { service, connect } = await setup(t);
    const teamA = await connect({ userId: 'team-a' });
    const teamB = await connect({ userId: 'team-b' });
    const other = await connect({ userId: 'other' });

    const r = await rest((o) => service.addConnectionsToGroups(['red', 'blue'], "startswith(userId, 'team-')", o));
    assert.equal(r.status, 200);
    assert.equal(r.body, '', 'an empty body');
    await service.group('red').sendToAll({ n: 1 });
    await service.group('blue').sendToAll({ n: 2 });

    assert.deepEqual(await groupNs(service, teamA), ['red:1', 'blue:2']);
    assert.deepEqual(await groupNs(service, teamB), ['red:1', 'blue:2']);
    assert.deepEqual(await groupNs(service, other), []);
  });

  test('addConnectionsToGroups with connectionId eq adds that one connection of its user', async (t) => {
    const { service, connect } = await setup(t);
    const first = await connect({ userId: 'alice' });
    const second = await connect({ userId: 'alice' });

    const r = await rest((o) => service.addConnectionsToGroups(['chat-1'], `connectionId eq '${second.connectionId}'`, o));
    assert.equal(r.status, 200);
    assert.equal(await service.groupExists('chat-1'), true);
    await service.group('chat-1').sendToAll({ n: 1 });

    assert.deepEqual(await groupNs(service, second), ['chat-1:1']);
    assert.deepEqual(await groupNs(service, first), []);
  });

  test("removeConnectionsFromGroups with 'g' in groups empties g and leaves every other group", async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a', groups: ['doomed', 'kept'] });
    const b = await connect({ userId: 'b', groups: ['doomed'] });
    const c = await connect({ userId: 'c', groups: ['kept'] });

    const r = await rest((o) => service.removeConnectionsFromGroups(['doomed'], "'doomed' in groups", o));
    assert.equal(r.status, 200);
    assert.equal(await service.groupExists('doomed'), false);
    assert.equal(await service.connectionExists(b.connectionId), true, 'leaving a group closes nothing');
    await service.group('doomed').sendToAll({ n: 1 });
    await service.group('kept').sendToAll({ n: 2 });

    assert.deepEqual(await groupNs(service, a), ['kept:2']);
    assert.deepEqual(await groupNs(service, b), []);
    assert.deepEqual(await groupNs(service, c), ['kept:2']);
  });

  test('removeConnectionsFromGroups leaves the members its filter does not match', async (t) => {
    const { service, connect } = await setup(t);
    const a = await connect({ userId: 'a', groups: ['g1', 'g2'] });
    const b = await connect({ userId: 'b', groups: ['g1', 'g2'] });

    const r = await rest((o) => service.removeConnectionsFromGroups(['g1', 'g2', 'never-joined'], "userId eq 'a'", o));
    assert.equal(r.status, 200);
    await service.group('g1').sendToAll({ n: 1 });
    await service.group('g2').sendToAll({ n: 2 });

    assert.deepEqual(await groupNs(service, a), []);
    assert.deepEqual(await groupNs(service, b), ['g1:1', 'g2:2']);
  });
});

describe('filters and bodies the emulator refuses', () => {
  test('a send with a filter that does not parse is a 400 RestError naming the position, and sends nothing', async (t) => {
    const { service, connect } = await setup(t);
    const alice = await connect({ userId: 'alice', groups: ['room'] });

    await assert.rejects(service.sendToAll({ n: 1 }, { filter: 'userId eq' }), (e) => {
      restError(400, 'InvalidFilter')(e);
      assert.match(e.message, /position 9/);
      return true;
    });
    await assert.rejects(
      service.group('room').sendToAll({ n: 2 }, { filter: "matchesPattern(userId, 'a')" }),
      restError(400, 'InvalidFilter'),
    );
    await assert.rejects(service.sendToUser('alice', { n: 3 }, { filter: 'userId eq 1' }), restError(400, 'InvalidFilter'));

    assert.deepEqual(await serverNs(service, alice), []);
    assert.deepEqual(await groupNs(service, alice), []);
  });

  test('addConnectionsToGroups and removeConnectionsFromGroups refuse a bad filter or group list with 400', async (t) => {
    const { service, connect } = await setup(t);
    const alice = await connect({ userId: 'alice' });

    await assert.rejects(service.addConnectionsToGroups(['g'], "userId eq 'alice"), restError(400, 'InvalidFilter'));
    await assert.rejects(service.removeConnectionsFromGroups(['g'], ''), restError(400, 'InvalidFilter'));
    await assert.rejects(service.addConnectionsToGroups([], 'true'), restError(400, 'InvalidGroup'));
    await assert.rejects(service.addConnectionsToGroups(['ok', '  '], 'true'), restError(400, 'InvalidGroup'));
    assert.equal(await service.groupExists('g'), false);
    assert.equal(await service.groupExists('ok'), false, 'a refused call changes nothing');
    assert.equal(await service.connectionExists(alice.connectionId), true);
  });
});
