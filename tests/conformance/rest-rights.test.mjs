// Who may do what over REST: permissions granted through `@azure/web-pubsub`'s
// `WebPubSubServiceClient`, the server token's check, and `:generateToken` (through a
// hand-signed request, as the SDK never calls it with a key).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ACCESS_KEY, connectClient, decodeJwt, rest, serviceClient, signedFetch, startEmulator, waitGroupMessage } from './harness.mjs';
import { barrier, HUB, setup } from './rest-harness.mjs';

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
