// The CloudEvents upstream, received by `@azure/web-pubsub-express`'s `WebPubSubEventHandler`
// on an express app, with every request recorded before the handler sees it. The handler does
// not check signatures, so the suite recomputes `ce-signature` itself.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';

import { WebPubSubClient, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import express from 'express';

import {
  ACCESS_KEY,
  clientUrl,
  connectClient,
  defer,
  expectedSignature,
  HUB,
  JSON_SUBPROTOCOL,
  openRaw,
  startEmulator,
  startStack,
  waitFor,
  waitServerMessage,
  within,
} from './harness.mjs';

const mime = (contentType) => (contentType ?? '').split(';')[0].trim().toLowerCase();
const typeOf = (r) => r.headers['ce-type'];

/** Waits until the upstream recorded an event of `type` (for `connectionId` if given). */
function waitEvent(upstream, type, connectionId, what) {
  return waitFor(
    () => upstream.events().find((r) => typeOf(r) === type && (!connectionId || r.headers['ce-connectionid'] === connectionId)),
    5000,
    what ?? `a ${type} event${connectionId ? ` for ${connectionId}` : ''}`,
  );
}

describe('abuse protection', () => {
  test('an OPTIONS request with WebHook-Request-Origin: localhost and ce-awpsversion comes before the first event', async (t) => {
    const { upstream, emulator } = await startStack(t);
    const rec = await connectClient(t, emulator, { token: { userId: 'a' } });
    await waitEvent(upstream, 'azure.webpubsub.sys.connected', rec.connectionId);

    const first = upstream.requests[0];
    assert.equal(first.method, 'OPTIONS', 'the first upstream request');
    assert.equal(first.url, upstream.path, 'the OPTIONS goes to the event handler URL');
    assert.equal(first.headers['webhook-request-origin'], 'localhost');
    assert.equal(first.headers['ce-awpsversion'], '1.0');
    assert.equal(first.status, 200);
    assert.equal(first.responseHeaders['webhook-allowed-origin'], '*');
    const firstPost = upstream.requests.findIndex((r) => r.method === 'POST');
    assert.ok(firstPost > 0, 'a POST came before the OPTIONS handshake');
  });

  test('an event handler that does not allow the origin gets no events and the client is refused', async (t) => {
    const { upstream, emulator } = await startStack(t, {
      intercept: (req, res, next) => (req.method === 'OPTIONS' ? res.status(200).end() : next()),
    });
    const url = await clientUrl(emulator, { userId: 'a' });
    const sock = await openRaw(t, url);
    assert.ok(sock.status >= 400, `the handshake was not refused (status ${sock.status})`);
    assert.equal(upstream.requests.filter((r) => r.method === 'POST').length, 0, 'an event was posted');
  });
});

describe('abuse protection with allowedEndpoints', () => {
  test('an express handler whose allowedEndpoints names the emulator (host and port) validates it and gets events', async (t) => {
    // As Microsoft's documentation writes it: `allowedEndpoints: [endpoint]`, where express
    // answers `WebHook-Allowed-Origin: localhost:PORT`. The handler is made once the emulator's
    // port is known; until then the app answers 503.
    let middleware = null;
    const origins = [];
    const app = express();
    app.use((req, res, next) => {
      if (req.method === 'OPTIONS') origins.push(req.headers['webhook-request-origin']);
      return middleware ? middleware(req, res, next) : res.status(503).end();
    });
    app.use((_req, res) => res.status(404).end());
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    defer(t, () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    });
    const emulator = await startEmulator(t, {
      eventHandler: `http://127.0.0.1:${server.address().port}/api/webpubsub/hubs/{hub}/`,
    });
    const connected = [];
    const handler = new WebPubSubEventHandler(HUB, {
      allowedEndpoints: [emulator.endpoint],
      onConnected: (req) => connected.push(req.context.connectionId),
    });
    middleware = handler.getMiddleware();
    const rec = await connectClient(t, emulator, { token: { userId: 'a' } });
    await waitFor(() => connected.includes(rec.connectionId), 5000, 'the connected event');
    assert.deepEqual(origins, ['localhost'], 'the bare host is sent, once');
  });
});

describe('CloudEvents headers and signature', () => {
  test('connect carries every ce- header, the origin, and sha256=HMAC(access key, connection id)', async (t) => {
    let seenByHandler;
    const { upstream, emulator } = await startStack(t, {
      handler: {
        handleConnect: (req, res) => {
          seenByHandler = req;
          res.success();
        },
      },
    });
    const rec = await connectClient(t, emulator, { token: { userId: 'alice' } });
    const cid = rec.connectionId;
    const connect = await waitEvent(upstream, 'azure.webpubsub.sys.connect', cid);
    const h = connect.headers;

    assert.equal(h['webhook-request-origin'], 'localhost');
    assert.equal(h['ce-specversion'], '1.0');
    assert.equal(h['ce-type'], 'azure.webpubsub.sys.connect');
    assert.equal(h['ce-source'], `/hubs/${HUB}/client/${cid}`);
    assert.match(h['ce-id'] ?? '', /^\S+$/);
    assert.match(h['ce-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(Math.abs(Date.parse(h['ce-time']) - Date.now()) < 60_000, 'ce-time is now');
    assert.equal(h['ce-userid'], 'alice');
    assert.equal(h['ce-connectionid'], cid);
    assert.equal(h['ce-hub'], HUB);
    assert.equal(h['ce-eventname'], 'connect');
    assert.equal(h['ce-awpsversion'], '1.0');
    assert.equal(h['ce-subprotocol'], undefined, 'connect has no ce-subprotocol');
    assert.equal(mime(h['content-type']), 'application/json');

    assert.equal(h['ce-signature'], expectedSignature(cid, ACCESS_KEY));
    assert.notEqual(h['ce-signature'], expectedSignature(cid, 'some-other-key-some-other-key-0000'));

    const body = JSON.parse(connect.body.toString('utf8'));
    assert.deepEqual(body.subprotocols, [JSON_SUBPROTOCOL]);
    assert.deepEqual(body.claims.sub, ['alice']);
    assert.deepEqual(body.clientCertificates, []);
    assert.equal(body.query.access_token, undefined, 'the access token is left out of query');
    assert.equal(body.headers.authorization, undefined);
    assert.equal(typeof body.headers, 'object');

    // What the Microsoft handler made of it.
    assert.equal(seenByHandler.context.connectionId, cid);
    assert.equal(seenByHandler.context.userId, 'alice');
    assert.equal(seenByHandler.context.hub, HUB);
    assert.equal(seenByHandler.context.signature, expectedSignature(cid));
  });

  test('connected, user events and disconnected carry ce-subprotocol and the same signature', async (t) => {
    const { upstream, emulator } = await startStack(t, {
      handler: { handleUserEvent: (_req, res) => res.success() },
    });
    const rec = await connectClient(t, emulator, { token: { userId: 'bob' } });
    await rec.client.sendEvent('hello', 'hi', 'text');
    rec.client.stop();
    const cid = rec.connectionId;
    await waitEvent(upstream, 'azure.webpubsub.sys.disconnected', cid);

    for (const type of ['azure.webpubsub.sys.connected', 'azure.webpubsub.user.hello', 'azure.webpubsub.sys.disconnected']) {
      const r = upstream.eventsOf(cid).find((x) => typeOf(x) === type);
      assert.ok(r, `${type} arrived`);
      assert.equal(r.headers['ce-subprotocol'], JSON_SUBPROTOCOL, `${type} ce-subprotocol`);
      assert.equal(r.headers['ce-signature'], expectedSignature(cid), `${type} ce-signature`);
      assert.equal(r.headers['ce-userid'], 'bob', `${type} ce-userid`);
      assert.equal(r.headers['ce-awpsversion'], '1.0', `${type} ce-awpsversion`);
      assert.equal(r.headers['webhook-request-origin'], 'localhost', `${type} origin`);
      assert.equal(r.headers['ce-source'], `/hubs/${HUB}/client/${cid}`, `${type} ce-source`);
    }
    const user = upstream.eventsOf(cid).find((x) => typeOf(x) === 'azure.webpubsub.user.hello');
    assert.equal(user.headers['ce-eventname'], 'hello');
  });

  test('a client of the hub in another case reaches the handler with a lowercase ce-hub', async (t) => {
    let connected;
    const { upstream, emulator } = await startStack(t, {
      handler: { onConnected: (req) => (connected = req) },
    });
    const rec = await connectClient(t, emulator, { hub: 'Chat', token: { userId: 'c' } });
    await waitEvent(upstream, 'azure.webpubsub.sys.connected', rec.connectionId);
    assert.equal(upstream.eventsOf(rec.connectionId)[0].headers['ce-hub'], 'chat');
    await waitFor(() => connected, 5000, 'onConnected');
    assert.equal(connected.context.connectionId, rec.connectionId);
  });
});

describe("the connect event's body", () => {
  test('claims, query and headers are maps of string arrays, and query keeps everything but access_token', async (t) => {
    const { upstream, emulator } = await startStack(t);
    const url = await clientUrl(emulator, { userId: 'alice', roles: ['webpubsub.joinLeaveGroup'], groups: ['g'] });
    const sock = await openRaw(t, `${url}&room=blue&room=green&lang=fr`);
    assert.equal(sock.status, undefined, `refused: ${sock.status}`);
    const connect = await waitEvent(upstream, 'azure.webpubsub.sys.connect');
    const body = JSON.parse(connect.body.toString('utf8'));
    for (const field of ['claims', 'query', 'headers']) {
      for (const [k, v] of Object.entries(body[field])) {
        assert.ok(
          Array.isArray(v) && v.every((x) => typeof x === 'string'),
          `${field}.${k} is not an array of strings: ${JSON.stringify(v)}`,
        );
      }
    }
    assert.deepEqual(body.query, { room: ['blue', 'green'], lang: ['fr'] });
    assert.deepEqual(body.claims.sub, ['alice']);
    assert.deepEqual(body.claims.role, ['webpubsub.joinLeaveGroup']);
    assert.deepEqual(body.headers['sec-websocket-protocol'], [JSON_SUBPROTOCOL]);
  });
});

describe("the connect event's answer", () => {
  test('userId, groups and roles from the connect response take effect', async (t) => {
    const { upstream, emulator, service } = await startStack(t, {
      handler: {
        handleConnect: (_req, res) =>
          res.success({
            userId: 'renamed',
            groups: ['welcome'],
            roles: ['webpubsub.sendToGroup.welcome'],
          }),
      },
    });
    const rec = await connectClient(t, emulator, { token: { userId: 'original' } });
    assert.equal(rec.userId, 'renamed', "the connected message's userId");
    assert.equal(await service.userExists('renamed'), true);
    assert.equal(await service.userExists('original'), false);
    assert.equal(await service.groupExists('welcome'), true);

    const connected = await waitEvent(upstream, 'azure.webpubsub.sys.connected', rec.connectionId);
    assert.equal(connected.headers['ce-userid'], 'renamed');

    await rec.client.sendToGroup('welcome', 'hello all', 'text'); // granted by the role
    const echo = await waitFor(() => rec.groupMessages.find((m) => m.data === 'hello all'), 5000, 'the echo');
    assert.equal(echo.fromUserId, 'renamed');
    await assert.rejects(rec.client.sendToGroup('elsewhere', 'x', 'text'), (e) => e.errorDetail?.name === 'Forbidden');
  });

  test('a 401 from connect rejects the socket: the handshake answers 401 and start() fails', async (t) => {
    const { upstream, emulator } = await startStack(t, {
      handler: { handleConnect: (_req, res) => res.fail(401, 'not you') },
    });
    const url = await clientUrl(emulator, { userId: 'intruder' });
    const sock = await openRaw(t, url);
    assert.equal(sock.status, 401);
    assert.equal(sock.body, 'not you', "the handler's response body is returned to the client");

    const client = new WebPubSubClient(url, {
      protocol: WebPubSubJsonProtocol(),
      autoReconnect: false,
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
    });
    defer(t, () => client.stop());
    const err = await within(
      client.start().then(
        () => null,
        (e) => e,
      ),
      5000,
      'start()',
    );
    assert.ok(err, 'start() succeeded');
    assert.match(String(err.message), /401/);
    assert.equal(
      upstream.events().filter((r) => typeOf(r) === 'azure.webpubsub.sys.connected').length,
      0,
      'a rejected connection got a connected event',
    );
  });

  test('a connect handler failing with 500 refuses the socket with a 5xx', async (t) => {
    const { upstream, emulator } = await startStack(t, {
      handler: { handleConnect: (_req, res) => res.fail(500, 'db down') },
    });
    const sock = await openRaw(t, await clientUrl(emulator, { userId: 'u' }));
    assert.ok(sock.status >= 500 && sock.status < 600, `status ${sock.status}`);
    assert.equal(upstream.events().filter((r) => typeOf(r) === 'azure.webpubsub.sys.connected').length, 0);
  });

  test('the connection state set in connect comes back on later events', async (t) => {
    const { emulator } = await startStack(t, {
      handler: {
        handleConnect: (_req, res) => {
          res.setState('nick', 'zoe');
          res.success();
        },
        handleUserEvent: (req, res) => res.success(JSON.stringify(req.context.states), 'json'),
      },
    });
    const rec = await connectClient(t, emulator, { token: { userId: 'z' } });
    await rec.client.sendEvent('whoami', '', 'text');
    const m = await waitServerMessage(rec, (x) => x.dataType === 'json', 'the state echo');
    assert.deepEqual(m.data, { nick: 'zoe' });
  });
});

describe('user events', () => {
  const echoHandler = {
    handleUserEvent: (req, res) => {
      if (req.dataType === 'json') res.success(JSON.stringify({ echo: req.data }), 'json');
      else if (req.dataType === 'text') res.success(`echo:${req.data}`, 'text');
      else res.success(Buffer.concat([Buffer.from([9]), req.data]), 'binary');
    },
  };

  test('text, json and binary events arrive with their content type and body', async (t) => {
    const { upstream, emulator } = await startStack(t, { handler: echoHandler });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });
    await rec.client.sendEvent('say', 'héllo', 'text');
    await rec.client.sendEvent('data', { a: [1, 'two'] }, 'json');
    await rec.client.sendEvent('blob', new Uint8Array([1, 2, 3]).buffer, 'binary');

    const events = upstream.eventsOf(rec.connectionId).filter((r) => typeOf(r).startsWith('azure.webpubsub.user.'));
    assert.deepEqual(
      events.map((r) => [typeOf(r), r.headers['ce-eventname'], mime(r.headers['content-type'])]),
      [
        ['azure.webpubsub.user.say', 'say', 'text/plain'],
        ['azure.webpubsub.user.data', 'data', 'application/json'],
        ['azure.webpubsub.user.blob', 'blob', 'application/octet-stream'],
      ],
    );
    assert.equal(events[0].body.toString('utf8'), 'héllo');
    assert.deepEqual(JSON.parse(events[1].body.toString('utf8')), { a: [1, 'two'] });
    assert.deepEqual([...events[2].body], [1, 2, 3]);
  });

  test("the handler's response returns to the sender as a server message with its content type, before the ack", async (t) => {
    const { emulator } = await startStack(t, { handler: echoHandler });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });

    await rec.client.sendEvent('say', 'hi', 'text');
    assert.equal(rec.serverMessages.length, 1, 'the response came after the ack');
    await rec.client.sendEvent('data', { n: 1 }, 'json');
    await rec.client.sendEvent('blob', new Uint8Array([4, 5]).buffer, 'binary');
    const got = rec.serverMessages.map((m) => [m.from, m.dataType, m.dataType === 'binary' ? [...new Uint8Array(m.data)] : m.data]);
    assert.deepEqual(got, [
      ['server', 'text', 'echo:hi'],
      ['server', 'json', { echo: { n: 1 } }],
      ['server', 'binary', [9, 4, 5]],
    ]);
  });

  test('an event repeating an ackId is answered as a duplicate and not sent upstream again', async (t) => {
    const { upstream, emulator } = await startStack(t, { handler: echoHandler });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });
    assert.deepEqual(await rec.client.sendEvent('say', 'one', 'text', { ackId: 5 }), { ackId: 5, isDuplicated: false });
    assert.deepEqual(await rec.client.sendEvent('say', 'two', 'text', { ackId: 5 }), { ackId: 5, isDuplicated: true });
    const said = upstream.eventsOf(rec.connectionId).filter((r) => typeOf(r) === 'azure.webpubsub.user.say');
    assert.deepEqual(
      said.map((r) => r.body.toString('utf8')),
      ['one'],
    );
    assert.deepEqual(
      rec.serverMessages.map((m) => m.data),
      ['echo:one'],
    );
  });

  test('an empty success (no data) acks the event and sends nothing back', async (t) => {
    const { emulator, service } = await startStack(t, {
      handler: { handleUserEvent: (_req, res) => res.success() },
    });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });
    const ack = await rec.client.sendEvent('quiet', 'x', 'text');
    assert.equal(ack.isDuplicated, false);
    await service.sendToConnection(rec.connectionId, { barrier: 1 });
    await waitServerMessage(rec, (m) => m.data?.barrier === 1, 'the barrier');
    assert.equal(rec.serverMessages.length, 1, 'an empty response produced a message');
  });

  test('a failing handler (500) acks InvocationFailed and the connection is dropped', async (t) => {
    const { upstream, emulator, service } = await startStack(t, {
      handler: { handleUserEvent: (_req, res) => res.fail(500, 'boom') },
    });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });
    const err = await rec.client.sendEvent('explode', 'x', 'text').then(
      () => null,
      (e) => e,
    );
    assert.ok(err, 'sendEvent succeeded');
    assert.equal(err.errorDetail?.name, 'InvocationFailed');
    await waitFor(() => rec.disconnected.length === 1, 5000, 'the client to be disconnected');
    assert.equal(await service.connectionExists(rec.connectionId), false);
    await waitEvent(upstream, 'azure.webpubsub.sys.disconnected', rec.connectionId);
  });

  test('a user event with no handler for its name fails with InvocationFailed and closes the client', async (t) => {
    const { emulator } = await startStack(t, { userEvents: 'allowed' });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });
    const err = await rec.client.sendEvent('forbiddenname', 'x', 'text').then(
      () => null,
      (e) => e,
    );
    assert.ok(err, 'sendEvent succeeded');
    assert.equal(err.errorDetail?.name, 'InvocationFailed');
    await waitFor(() => rec.disconnected.length === 1, 5000, 'the client to be disconnected');
  });
});

describe('simple WebSocket clients and the message event', () => {
  test('a text frame from a client without subprotocol is the user event message, and the reply comes back as a frame', async (t) => {
    const { upstream, emulator } = await startStack(t, {
      handler: {
        handleUserEvent: (req, res) => res.success(`got ${req.data} as ${req.dataType}`, 'text'),
      },
    });
    const sock = await openRaw(t, await clientUrl(emulator, { userId: 'plain' }), []);
    assert.equal(sock.protocol, '');
    sock.ws.send('hello');
    const reply = await waitFor(() => sock.frames.find((f) => f.text !== undefined), 5000, 'the reply frame');
    assert.equal(reply.text, 'got hello as text');
    const event = upstream.events().find((r) => typeOf(r) === 'azure.webpubsub.user.message');
    assert.equal(event.headers['ce-eventname'], 'message');
    assert.equal(mime(event.headers['content-type']), 'text/plain');
    assert.equal(event.body.toString('utf8'), 'hello');
    assert.equal(event.headers['ce-subprotocol'], undefined, 'a simple client has no subprotocol');
  });
});

describe('connected and disconnected', () => {
  test("each connection's events arrive in order: connect, connected, user events, disconnected", async (t) => {
    const connectedSeen = [];
    const disconnectedSeen = [];
    const { upstream, emulator } = await startStack(t, {
      handler: {
        onConnected: (req) => connectedSeen.push(req.context.connectionId),
        onDisconnected: (req) => disconnectedSeen.push([req.context.connectionId, req.reason]),
        handleUserEvent: (_req, res) => res.success(),
      },
    });
    const clients = await Promise.all([1, 2, 3, 4].map((i) => connectClient(t, emulator, { token: { userId: `u${i}` } })));
    await Promise.all(
      clients.map(async (c) => {
        await c.client.sendEvent('first', '1', 'text');
        await c.client.sendEvent('second', '2', 'text');
        c.client.stop();
      }),
    );
    for (const c of clients) {
      await waitEvent(upstream, 'azure.webpubsub.sys.disconnected', c.connectionId);
      const mine = upstream.eventsOf(c.connectionId);
      assert.deepEqual(
        mine.map(typeOf),
        [
          'azure.webpubsub.sys.connect',
          'azure.webpubsub.sys.connected',
          'azure.webpubsub.user.first',
          'azure.webpubsub.user.second',
          'azure.webpubsub.sys.disconnected',
        ],
        `events of ${c.userId}`,
      );
      const ids = mine.map((r) => Number(r.headers['ce-id']));
      assert.ok(
        ids.every((id, i) => i === 0 || id > ids[i - 1]),
        `ce-id increases: ${ids}`,
      );
      const body = JSON.parse(mine[4].body.toString('utf8'));
      assert.equal(typeof body.reason, 'string', 'disconnected carries a reason');
      assert.deepEqual(JSON.parse(mine[1].body.toString('utf8')), {}, "connected's body");
    }
    await waitFor(() => disconnectedSeen.length === 4, 5000, 'onDisconnected for all four');
    assert.deepEqual(new Set(connectedSeen), new Set(clients.map((c) => c.connectionId)));
  });

  test('closing a connection through REST with a reason reaches the handler as the disconnected reason', async (t) => {
    const reasons = [];
    const { upstream, emulator, service } = await startStack(t, {
      handler: { onDisconnected: (req) => reasons.push(req.reason) },
    });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });
    await service.closeConnection(rec.connectionId, { reason: 'admin says bye' });
    const d = await waitEvent(upstream, 'azure.webpubsub.sys.disconnected', rec.connectionId);
    assert.equal(JSON.parse(d.body.toString('utf8')).reason, 'admin says bye');
    await waitFor(() => reasons.length === 1, 5000, 'onDisconnected');
    assert.equal(reasons[0], 'admin says bye');
  });

  test('only the system events asked for go upstream', async (t) => {
    const { upstream, emulator } = await startStack(t, { systemEvents: 'disconnected' });
    const rec = await connectClient(t, emulator, { token: { userId: 'u' } });
    rec.client.stop();
    await waitEvent(upstream, 'azure.webpubsub.sys.disconnected', rec.connectionId);
    assert.deepEqual(upstream.eventsOf(rec.connectionId).map(typeOf), ['azure.webpubsub.sys.disconnected']);
  });
});
