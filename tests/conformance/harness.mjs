// The conformance suite's harness: starts `chatr emulator` and an express upstream hosting
// Microsoft's `WebPubSubEventHandler`, both on port 0 of 127.0.0.1, records every upstream
// request, and builds Microsoft's clients against them. Every helper takes the test context
// `t` and registers its own clean-up with `t.after()`, run in reverse order of creation, so
// each test owns and stops everything it started.

import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubClient, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import express from 'express';
import { WebSocket } from 'ws';
import { spawnChatr } from '../spawn-chatr.mjs';

/** Not the emulator's default key, so that a test proves the key given is the key used. */
export const ACCESS_KEY = 'conformance-suite-access-key-0123456789ABCDEF';
export const HUB = 'chat';
export const JSON_SUBPROTOCOL = 'json.webpubsub.azure.v1';
export const RELIABLE_SUBPROTOCOL = 'json.reliable.webpubsub.azure.v1';

const DEFAULT_WAIT_MS = 5000;

// ---------------------------------------------------------------------------------------------
// Waiting

/**
 * Polls `predicate` (every 10 ms) until it returns a truthy value, and returns that value.
 * Fails with `what` in the message after `timeoutMs`.
 */
export async function waitFor(predicate, timeoutMs = DEFAULT_WAIT_MS, what = 'a condition') {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the promise's value, or fails after `timeoutMs` naming `what`. */
export async function within(promise, timeoutMs, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Crypto helpers (the suite computes what the emulator must produce, independently)

export function base64url(buf) {
  return Buffer.from(buf).toString('base64url');
}

/** An HS256 JWT over `claims`, keyed with the UTF-8 bytes of `key`. */
export function signJwt(claims, key = ACCESS_KEY) {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const sig = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${base64url(sig)}`;
}

/** `{ header, payload, signatureValid }` of a compact JWT. */
export function decodeJwt(token, key = ACCESS_KEY) {
  const [h, p, s] = token.split('.');
  const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${h}.${p}`).digest();
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signatureValid: Buffer.from(s, 'base64url').equals(expected),
  };
}

/** `sha256=` + hex HMAC-SHA256 of the connection id, keyed with the access key's UTF-8 bytes. */
export function expectedSignature(connectionId, key = ACCESS_KEY) {
  return `sha256=${createHmac('sha256', Buffer.from(key, 'utf8')).update(connectionId, 'utf8').digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Clean-up

function cleanups(t) {
  if (!t.__conformanceCleanups) {
    const list = [];
    t.__conformanceCleanups = list;
    t.after(async () => {
      const errors = [];
      while (list.length) {
        const fn = list.pop();
        try {
          await fn();
        } catch (e) {
          errors.push(e);
        }
      }
      if (errors.length) throw errors[0];
    });
  }
  return t.__conformanceCleanups;
}

/** Registers `fn` to run when test `t` ends (last registered, first run). */
export function defer(t, fn) {
  cleanups(t).push(fn);
}

// ---------------------------------------------------------------------------------------------
// The emulator

/**
 * Starts `chatr emulator --port 0` (see `spawnChatr`: `child`, `exited`, `stop()`, `stdout`)
 * and waits until it is ready. Options: `hub`, `eventHandler`
 * (URL template), `userEvents`, `systemEvents`, `accessKey`, `timing` (e.g.
 * `{"reconnect-window-secs": 3}`: emulator flags in seconds), `allowedOrigins`
 * (`--allowed-origins`).
 */
export async function startEmulator(t, options = {}) {
  const {
    hub = HUB,
    eventHandler = 'http://127.0.0.1:9/api/webpubsub/hubs/{hub}/',
    userEvents = '*',
    systemEvents = 'connect,connected,disconnected',
    accessKey = ACCESS_KEY,
    timing = {},
    allowedOrigins,
  } = options;
  const args = [
    'emulator',
    '--port',
    '0',
    '--hub',
    hub,
    '--event-handler',
    eventHandler,
    '--user-events',
    userEvents,
    '--system-events',
    systemEvents,
    '--access-key',
    accessKey,
    ...Object.entries(timing).flatMap(([flag, secs]) => [`--${flag}`, String(secs)]),
    ...(allowedOrigins ? ['--allowed-origins', allowedOrigins] : []),
  ];
  const emulator = Object.assign(await spawnChatr(args), { accessKey, hub });
  defer(t, () => emulator.stop());
  emulator.port = Number(new URL(emulator.ready.emulator).port);
  emulator.connectionString = emulator.ready.connectionString;
  const fields = Object.fromEntries(
    emulator.connectionString
      .split(';')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')).toLowerCase(), kv.slice(kv.indexOf('=') + 1)]),
  );
  const endpoint = new URL(fields.endpoint);
  if (fields.port) endpoint.port = fields.port;
  /** `http://localhost:PORT` (no trailing slash), as the SDK derives it. */
  emulator.endpoint = endpoint.origin;
  emulator.wsEndpoint = emulator.endpoint.replace(/^http/, 'ws');
  return emulator;
}

// ---------------------------------------------------------------------------------------------
// The upstream (event handler)

/**
 * Starts an express app on 127.0.0.1:0 with, in order: a recorder of every request, an
 * optional `intercept` middleware (to answer some requests itself), and Microsoft's
 * `WebPubSubEventHandler` for `hub` with `handler` (its options: handleConnect, onConnected,
 * onDisconnected, handleUserEvent, …). `requests` holds { method, url, headers, body (Buffer,
 * once complete), complete, status (once answered), responseHeaders }.
 */
export async function startUpstream(t, { hub = HUB, handler = {}, intercept } = {}) {
  const app = express();
  const requests = [];
  app.use((req, res, next) => {
    const record = {
      index: requests.length,
      method: req.method,
      url: req.originalUrl,
      headers: { ...req.headers },
      body: undefined,
      complete: false,
      status: undefined,
      responseHeaders: undefined,
    };
    requests.push(record);
    // A second listener on the same stream: the body is copied, the handler still reads it.
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      record.body = Buffer.concat(chunks);
      record.complete = true;
    });
    res.on('finish', () => {
      record.status = res.statusCode;
      record.responseHeaders = res.getHeaders();
    });
    next();
  });
  if (intercept) app.use(intercept);
  const eventHandler = new WebPubSubEventHandler(hub, handler);
  app.use(eventHandler.getMiddleware());
  app.use((_req, res) => res.status(404).end());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  const upstream = {
    app,
    server,
    port,
    requests,
    path: eventHandler.path,
    template: `http://127.0.0.1:${port}${eventHandler.path}`.replace(`/hubs/${hub}/`, '/hubs/{hub}/'),
    /** Completed POSTs (CloudEvents) in arrival order. */
    events() {
      return requests.filter((r) => r.method === 'POST' && r.complete);
    },
    /** Completed POSTs of one connection, in arrival order. */
    eventsOf(connectionId) {
      return this.events().filter((r) => r.headers['ce-connectionid'] === connectionId);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
  defer(t, () => upstream.stop());
  return upstream;
}

/** An upstream, then an emulator whose `--hub` events go to it. */
export async function startStack(t, { hub = HUB, handler, intercept, ...emulatorOptions } = {}) {
  const upstream = await startUpstream(t, { hub, handler, intercept });
  const emulator = await startEmulator(t, {
    hub,
    eventHandler: upstream.template,
    ...emulatorOptions,
  });
  return { upstream, emulator, service: serviceClient(emulator, hub) };
}

// ---------------------------------------------------------------------------------------------
// Microsoft's clients

/**
 * `WebPubSubServiceClient` from the printed connection string. The SDK's pipeline refuses
 * plain-http endpoints unless `allowInsecureConnection` is set (the emulator is http only).
 */
export function serviceClient(emulator, hub = HUB, options = {}) {
  return new WebPubSubServiceClient(emulator.connectionString, hub, {
    allowInsecureConnection: true,
    ...options,
  });
}

/**
 * Calls an SDK REST operation, capturing the HTTP status it saw. `op(options)` gets the options
 * to pass (with `onResponse`). Returns `{ status, result, error }` (never throws).
 */
export async function rest(op, options = {}) {
  let status;
  let headers;
  let body;
  try {
    const result = await op({
      ...options,
      onResponse: (raw) => {
        status = raw.status;
        headers = raw.headers;
        body = raw.bodyAsText;
      },
    });
    return { status, headers, body, result };
  } catch (error) {
    return { status: status ?? error.statusCode, headers, body, error };
  }
}

/**
 * A started `WebPubSubClient` on the JSON subprotocol, with every event it emits recorded.
 * `token`: options for `getClientAccessToken` (userId, roles, groups); or `url` to connect to.
 * `options`: client options (defaults: no auto-reconnect, no keep-alive timers so that the
 * process exits promptly, no message retries). Waits for the `connected` event.
 */
export async function connectClient(t, emulator, { hub = HUB, token = {}, url, options = {} } = {}) {
  const accessUrl = url ?? (await serviceClient(emulator, hub).getClientAccessToken(token)).url;
  const client = new WebPubSubClient(accessUrl, {
    protocol: WebPubSubJsonProtocol(),
    autoReconnect: false,
    keepAliveIntervalInMs: 0,
    keepAliveTimeoutInMs: 0,
    messageRetryOptions: { maxRetries: 0 },
    ...options,
  });
  const rec = wrapClient(client);
  defer(t, () => client.stop());
  await client.start();
  await waitFor(() => rec.connected.length > 0, DEFAULT_WAIT_MS, "the client's connected event");
  rec.connectionId = rec.connected[0].connectionId;
  rec.userId = rec.connected[0].userId;
  return rec;
}

/** Records a `WebPubSubClient`'s events. */
export function wrapClient(client) {
  const rec = {
    client,
    connected: [],
    disconnected: [],
    groupMessages: [],
    serverMessages: [],
    stopped: 0,
  };
  client.on('connected', (e) => rec.connected.push(e));
  client.on('disconnected', (e) => rec.disconnected.push(e));
  client.on('group-message', (e) => rec.groupMessages.push(e.message));
  client.on('server-message', (e) => rec.serverMessages.push(e.message));
  client.on('stopped', () => (rec.stopped += 1));
  return rec;
}

/** Waits until `rec` got a server message whose data deep-equals-ish `match(data)`. */
export function waitServerMessage(rec, match, what = 'a server message') {
  return waitFor(() => rec.serverMessages.find((m) => match(m)), DEFAULT_WAIT_MS, what);
}

export function waitGroupMessage(rec, match, what = 'a group message') {
  return waitFor(() => rec.groupMessages.find((m) => match(m)), DEFAULT_WAIT_MS, what);
}

/** The URL (ws://localhost:PORT/client/hubs/HUB?access_token=…) for `token` options. */
export async function clientUrl(emulator, token = {}, hub = HUB) {
  return (await serviceClient(emulator, hub).getClientAccessToken(token)).url;
}

// ---------------------------------------------------------------------------------------------
// Raw WebSockets (frame-level checks the SDK cannot make)

/**
 * Opens a raw `ws` socket. Resolves once open, or once the handshake failed, with
 * `{ ws, protocol, frames, closed, status, body, next(pred), sendJson(obj) }`:
 * `frames` holds every received frame (`{ text, json }` or `{ binary }`), `closed` resolves
 * with `{ code, reason }`, `status`/`body` are set when the upgrade was refused.
 */
export async function openRaw(t, url, protocols = [JSON_SUBPROTOCOL], wsOptions = {}) {
  const ws = new WebSocket(url, protocols, wsOptions);
  const sock = {
    ws,
    frames: [],
    status: undefined,
    body: undefined,
    error: undefined,
    closeEvent: undefined,
  };
  sock.closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      sock.closeEvent = { code, reason: reason.toString('utf8') };
      resolve(sock.closeEvent);
    });
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      sock.frames.push({ binary: Buffer.from(data) });
    } else {
      const text = data.toString('utf8');
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      sock.frames.push({ text, json });
    }
  });
  const settled = new Promise((resolve) => {
    ws.on('open', () => resolve());
    ws.on('unexpected-response', (req, res) => {
      sock.status = res.statusCode;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        sock.body = Buffer.concat(chunks).toString('utf8');
        req.destroy();
        resolve();
      });
    });
    ws.on('error', (e) => {
      sock.error = e;
      if (sock.status === undefined) resolve();
    });
  });
  defer(t, async () => {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    }
  });
  await within(settled, DEFAULT_WAIT_MS, `the WebSocket handshake with ${url}`);
  sock.protocol = ws.protocol;
  sock.sendJson = (obj) => ws.send(JSON.stringify(obj));
  /** Waits for the first received JSON frame matching `pred`, returns its object. */
  sock.next = async (pred, what = 'a frame') => {
    const f = await waitFor(
      () => sock.frames.find((fr) => fr.json !== undefined && pred(fr.json)),
      DEFAULT_WAIT_MS,
      `${what} (frames so far: ${JSON.stringify(sock.frames.map((fr) => fr.text ?? '<binary>'))})`,
    );
    return f.json;
  };
  sock.waitClosed = (what = 'the server to close the socket') => within(sock.closed, DEFAULT_WAIT_MS, what);
  return sock;
}

// ---------------------------------------------------------------------------------------------
// Raw signed REST (for `:generateToken`, which the SDK never calls with a key)

/**
 * A REST call signed by hand: bearer HS256 JWT with `aud` = the full request URL (query
 * included) and `exp`, over `key`'s UTF-8 bytes. `pathAndQuery` starts with `/api/`.
 */
export async function signedFetch(emulator, method, pathAndQuery, init = {}) {
  const { key = emulator.accessKey, aud, body, headers = {} } = init;
  const url = `${emulator.endpoint}${pathAndQuery}`;
  const now = Math.floor(Date.now() / 1000);
  const token = signJwt({ aud: aud ?? url, iat: now, exp: now + 3600 }, key);
  return fetch(url, {
    method,
    body,
    headers: { Authorization: `Bearer ${token}`, ...headers },
  });
}
