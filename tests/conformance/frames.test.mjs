// Frame-level checks with the `ws` package directly, for what the SDK cannot show or send:
// the subprotocol echoed in the 101, the exact service frames, close codes for oversized,
// binary and malformed client frames, simple (no subprotocol) clients and shutdown.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { clientUrl, JSON_SUBPROTOCOL, openRaw, RELIABLE_SUBPROTOCOL, serviceClient, startEmulator, within } from './harness.mjs';

const HUB = 'lobby';
const ROLES = ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'];

async function setup(t) {
  const emulator = await startEmulator(t);
  const service = serviceClient(emulator, HUB);
  /** A raw socket on `json.webpubsub.azure.v1` (or `protocols`), after its connected frame. */
  const open = async (token = {}, protocols = [JSON_SUBPROTOCOL]) => {
    const sock = await openRaw(t, await clientUrl(emulator, token, HUB), protocols);
    assert.equal(sock.status, undefined, `handshake refused: ${sock.status} ${sock.body}`);
    return sock;
  };
  return { emulator, service, open };
}

const isConnected = (f) => f.type === 'system' && f.event === 'connected';

describe('the WebSocket handshake', () => {
  test('the requested json.webpubsub.azure.v1 is echoed in Sec-WebSocket-Protocol', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    assert.equal(sock.protocol, JSON_SUBPROTOCOL);
  });

  test('json.reliable.webpubsub.azure.v1 is echoed too', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' }, [RELIABLE_SUBPROTOCOL]);
    assert.equal(sock.protocol, RELIABLE_SUBPROTOCOL);
  });

  test('among several requested subprotocols the first predefined one is chosen', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' }, ['x.custom.v1', JSON_SUBPROTOCOL, RELIABLE_SUBPROTOCOL]);
    assert.equal(sock.protocol, JSON_SUBPROTOCOL);
  });

  test('the /client/?hub= form of the URL works like /client/hubs/{hub}', async (t) => {
    const { emulator } = await setup(t);
    const { token } = await serviceClient(emulator, HUB).getClientAccessToken({ userId: 'q' });
    const sock = await openRaw(t, `${emulator.wsEndpoint}/client/?hub=${HUB}&access_token=${token}`);
    assert.equal(sock.status, undefined, `refused: ${sock.status}`);
    const f = await sock.next(isConnected, 'the connected frame');
    assert.equal(f.userId, 'q');
  });

  test('a handshake without a token is refused with HTTP 401 before the upgrade', async (t) => {
    const { emulator } = await setup(t);
    const sock = await openRaw(t, `${emulator.wsEndpoint}/client/hubs/${HUB}`);
    assert.equal(sock.status, 401);
  });

  test('a handshake with a garbage token is refused with HTTP 401', async (t) => {
    const { emulator } = await setup(t);
    const sock = await openRaw(t, `${emulator.wsEndpoint}/client/hubs/${HUB}?access_token=not.a.jwt`);
    assert.equal(sock.status, 401);
  });
});

describe('service frames on json.webpubsub.azure.v1', () => {
  test('the first frame is a text frame with the connected system message, userId and connectionId', async (t) => {
    const { open, service } = await setup(t);
    const sock = await open({ userId: 'alice' });
    await sock.next(isConnected, 'the connected frame');
    const first = sock.frames[0];
    assert.ok(first.text !== undefined, 'the first frame is a text frame');
    assert.equal(first.json.type, 'system');
    assert.equal(first.json.event, 'connected');
    assert.equal(first.json.userId, 'alice');
    assert.equal(typeof first.json.connectionId, 'string');
    assert.equal(first.json.reconnectionToken, undefined, 'no reconnectionToken on the non-reliable protocol');
    assert.equal(await service.connectionExists(first.json.connectionId), true);
  });

  test('ping is answered with pong', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    await sock.next(isConnected);
    sock.sendJson({ type: 'ping' });
    const pong = await sock.next((f) => f.type === 'pong', 'a pong');
    assert.deepEqual(pong, { type: 'pong' });
  });

  test('an ack for a successful joinGroup is exactly {type, ackId, success: true}', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a', roles: ROLES });
    await sock.next(isConnected);
    sock.sendJson({ type: 'joinGroup', group: 'room', ackId: 1 });
    const ack = await sock.next((f) => f.type === 'ack', 'the ack');
    assert.deepEqual(ack, { type: 'ack', ackId: 1, success: true });
  });

  test('a refused joinGroup is acked with success false and error Forbidden', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    await sock.next(isConnected);
    sock.sendJson({ type: 'joinGroup', group: 'room', ackId: 5 });
    const ack = await sock.next((f) => f.type === 'ack', 'the ack');
    assert.equal(ack.ackId, 5);
    assert.equal(ack.success, false);
    assert.equal(ack.error?.name, 'Forbidden');
    assert.equal(typeof ack.error?.message, 'string');
  });

  test('a refused sendToGroup without ackId is silent and the connection stays open', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    await sock.next(isConnected);
    sock.sendJson({ type: 'sendToGroup', group: 'room', dataType: 'text', data: 'x' });
    sock.sendJson({ type: 'ping' });
    await sock.next((f) => f.type === 'pong', 'a pong after the refused send');
    assert.equal(sock.frames.filter((f) => f.json?.type === 'ack').length, 0);
    assert.equal(sock.closeEvent, undefined);
  });

  test('a repeated ackId is answered with a Duplicate ack naming the ackId', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a', roles: ROLES });
    await sock.next(isConnected);
    sock.sendJson({ type: 'joinGroup', group: 'room', ackId: 9 });
    sock.sendJson({ type: 'leaveGroup', group: 'room', ackId: 9 });
    await sock.next((f) => f.type === 'ack' && f.success === false, 'the second ack');
    const acks = sock.frames.filter((f) => f.json?.type === 'ack').map((f) => f.json);
    assert.deepEqual(acks, [
      { type: 'ack', ackId: 9, success: true },
      {
        type: 'ack',
        ackId: 9,
        success: false,
        error: { name: 'Duplicate', message: 'Message with ack-id: 9 has been processed' },
      },
    ]);
  });

  test('a group message is encoded per dataType: json inline, text as a string, binary as base64', async (t) => {
    const { open } = await setup(t);
    const alice = await open({ userId: 'alice', roles: ROLES, groups: ['room'] });
    const bob = await open({ userId: 'bob', groups: ['room'] });
    await alice.next(isConnected);
    await bob.next(isConnected);
    alice.sendJson({ type: 'sendToGroup', group: 'room', dataType: 'json', data: { a: [1, 2] } });
    alice.sendJson({ type: 'sendToGroup', group: 'room', dataType: 'text', data: 'hé' });
    alice.sendJson({ type: 'sendToGroup', group: 'room', dataType: 'binary', data: 'AQID' });
    alice.sendJson({ type: 'sendToGroup', group: 'room', data: { implicit: true } });
    await bob.next((f) => f.data?.implicit === true, 'the fourth group message');
    const messages = bob.frames.filter((f) => f.json?.type === 'message').map((f) => f.json);
    const base = { type: 'message', from: 'group', group: 'room', fromUserId: 'alice' };
    assert.deepEqual(messages, [
      { ...base, dataType: 'json', data: { a: [1, 2] } },
      { ...base, dataType: 'text', data: 'hé' },
      { ...base, dataType: 'binary', data: 'AQID' },
      { ...base, dataType: 'json', data: { implicit: true } },
    ]);
  });

  test('a REST message to a connection is a from server message per content type', async (t) => {
    const { open, service } = await setup(t);
    const sock = await open({ userId: 'a' });
    const { connectionId } = await sock.next(isConnected);
    await service.sendToConnection(connectionId, 'Hello World', { contentType: 'text/plain' });
    await service.sendToConnection(connectionId, { k: 'v' });
    await service.sendToConnection(connectionId, new Uint8Array([255, 0]));
    await sock.next((f) => f.dataType === 'binary', 'the binary message');
    const messages = sock.frames.filter((f) => f.json?.type === 'message').map((f) => f.json);
    assert.deepEqual(messages, [
      { type: 'message', from: 'server', dataType: 'text', data: 'Hello World' },
      { type: 'message', from: 'server', dataType: 'json', data: { k: 'v' } },
      { type: 'message', from: 'server', dataType: 'binary', data: '/wA=' },
    ]);
  });
});

describe('closing from the service', () => {
  test('a REST close sends the disconnected system message with the reason, then closes with 1000', async (t) => {
    const { open, service } = await setup(t);
    const sock = await open({ userId: 'a' });
    const { connectionId } = await sock.next(isConnected);
    await service.closeConnection(connectionId, { reason: 'bye now' });
    const { code } = await sock.waitClosed();
    assert.equal(code, 1000);
    const last = sock.frames.at(-1);
    assert.deepEqual(last.json, { type: 'system', event: 'disconnected', message: 'bye now' });
  });
});

describe('json.reliable.webpubsub.azure.v1', () => {
  test('the connected frame carries a reconnectionToken', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'r' }, [RELIABLE_SUBPROTOCOL]);
    const connected = await sock.next(isConnected, 'the connected frame');
    assert.equal(connected.userId, 'r');
    assert.equal(typeof connected.reconnectionToken, 'string', `connected frame: ${JSON.stringify(connected)}`);
    assert.ok(connected.reconnectionToken.length > 0);
  });

  test('data messages carry sequenceId 1, 2, 3 and acks and system messages carry none', async (t) => {
    const { open, service } = await setup(t);
    const sock = await open({ userId: 'r', roles: ROLES }, [RELIABLE_SUBPROTOCOL]);
    const { connectionId } = await sock.next(isConnected);
    await service.sendToConnection(connectionId, { n: 1 });
    sock.sendJson({ type: 'joinGroup', group: 'room', ackId: 1 });
    await sock.next((f) => f.type === 'ack', 'the ack');
    sock.sendJson({ type: 'sendToGroup', group: 'room', ackId: 2, dataType: 'text', data: 'two' });
    await sock.next((f) => f.type === 'ack' && f.ackId === 2, 'the ack of the group send');
    await service.sendToConnection(connectionId, 'three', { contentType: 'text/plain' });
    await sock.next((f) => f.data === 'three', 'the third message');
    const messages = sock.frames.filter((f) => f.json?.type === 'message').map((f) => f.json);
    assert.deepEqual(
      messages.map((m) => [m.sequenceId, m.data]),
      [
        [1, { n: 1 }],
        [2, 'two'],
        [3, 'three'],
      ],
    );
    for (const f of sock.frames.filter((x) => x.json?.type !== 'message')) {
      assert.equal(f.json.sequenceId, undefined, `sequenceId on ${f.text}`);
    }
    sock.sendJson({ type: 'sequenceAck', sequenceId: 3 });
    sock.sendJson({ type: 'ping' });
    await sock.next((f) => f.type === 'pong', 'a pong after the sequenceAck');
  });

  test('a recovery attempt the emulator cannot honour is upgraded, then closed with 1008', async (t) => {
    const { emulator } = await setup(t);
    const url = await clientUrl(emulator, { userId: 'r' }, HUB);
    const sock = await openRaw(t, `${url}&awps_connection_id=gone&awps_reconnection_token=stale`, [RELIABLE_SUBPROTOCOL]);
    assert.equal(sock.status, undefined, `the recovery handshake was refused with ${sock.status}`);
    assert.equal(sock.protocol, RELIABLE_SUBPROTOCOL);
    const { code } = await sock.waitClosed();
    assert.equal(code, 1008);
  });
});

describe('client frames the service closes the connection for', () => {
  test('a text frame just over 1 MB closes the connection with 1009', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    await sock.next(isConnected);
    const big = JSON.stringify({ type: 'event', event: 'big', dataType: 'text', data: 'x'.repeat(1024 * 1024) });
    assert.ok(Buffer.byteLength(big) > 1024 * 1024);
    sock.ws.send(big);
    const { code } = await sock.waitClosed('the close after a 1 MB frame');
    assert.equal(code, 1009);
  });

  test('a text frame of 8 MB closes the connection with 1009 too', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    await sock.next(isConnected);
    const big = JSON.stringify({ type: 'event', event: 'big', dataType: 'text', data: 'x'.repeat(8 * 1024 * 1024) });
    sock.ws.send(big);
    const { code } = await sock.waitClosed('the close after an 8 MB frame');
    assert.equal(code, 1009);
  });

  test('a frame of exactly 1 MB is still accepted', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a', roles: ROLES });
    await sock.next(isConnected);
    const envelope = JSON.stringify({ type: 'sendToGroup', group: 'nobody', ackId: 1, dataType: 'text', data: '' });
    const frame = envelope.replace('"data":""', `"data":"${'y'.repeat(1024 * 1024 - envelope.length)}"`);
    assert.equal(Buffer.byteLength(frame), 1024 * 1024);
    sock.ws.send(frame);
    const ack = await sock.next((f) => f.type === 'ack', 'the ack of a 1 MB frame');
    assert.equal(ack.success, true);
  });

  test('a binary frame on the JSON subprotocol closes the connection with 1003', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    await sock.next(isConnected);
    sock.ws.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
    const { code } = await sock.waitClosed('the close after a binary frame');
    assert.equal(code, 1003);
  });

  test('a text frame that is not a protocol message closes the connection with 1007', async (t) => {
    const { open } = await setup(t);
    const sock = await open({ userId: 'a' });
    await sock.next(isConnected);
    sock.ws.send('this is not json');
    const { code } = await sock.waitClosed('the close after an invalid frame');
    assert.equal(code, 1007);
  });
});

describe('simple WebSocket clients (no subprotocol)', () => {
  test('no subprotocol is echoed, no connected frame is sent, and REST text/binary arrive as text/binary frames', async (t) => {
    const { emulator, service } = await setup(t);
    const sock = await openRaw(t, await clientUrl(emulator, { userId: 'plain' }, HUB), []);
    assert.equal(sock.status, undefined);
    assert.equal(sock.protocol, '');
    await service.sendToUser('plain', 'just text', { contentType: 'text/plain' });
    await service.sendToUser('plain', { as: 'json' });
    await service.sendToUser('plain', new Uint8Array([7, 8]));
    await within(
      (async () => {
        while (sock.frames.length < 3) await new Promise((r) => setTimeout(r, 10));
      })(),
      5000,
      'three frames on the simple client',
    );
    assert.equal(sock.frames[0].text, 'just text');
    assert.equal(sock.frames[1].text, '{"as":"json"}');
    assert.deepEqual([...sock.frames[2].binary], [7, 8]);
  });
});

describe('shutdown', () => {
  test('SIGTERM closes every socket with a close frame (1001) and the emulator exits 0', async (t) => {
    const { emulator, open } = await setup(t);
    const a = await open({ userId: 'a' });
    const b = await open({ userId: 'b' }, []);
    await a.next(isConnected);
    const exit = await emulator.stop();
    const [ca, cb] = await Promise.all([a.waitClosed(), b.waitClosed()]);
    assert.equal(ca.code, 1001, 'JSON client close code');
    assert.equal(cb.code, 1001, 'simple client close code');
    assert.deepEqual(exit, { code: 0, signal: null });
  });
});
