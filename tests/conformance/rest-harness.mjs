// What the REST suites share: a hub other than the emulator's `--hub`, which works without an
// upstream; a `WebPubSubServiceClient` on it and clients that connect to it; and a barrier that
// proves everything sent to a connection before it has arrived.

import assert from 'node:assert/strict';

import { connectClient, rest, serviceClient, startEmulator, waitServerMessage } from './harness.mjs';

export const HUB = 'notifications';

/** The bytes of an ArrayBuffer, as numbers. */
export function bytes(arrayBuffer) {
  return [...new Uint8Array(arrayBuffer)];
}

/** Sends a unique marker to a connection and waits for it: everything sent before has arrived. */
export async function barrier(service, rec) {
  const marker = { barrier: Math.random().toString(36).slice(2) };
  const r = await rest((o) => service.sendToConnection(rec.connectionId, marker, o));
  assert.equal(r.status, 202, 'sendToConnection (barrier) status');
  await waitServerMessage(rec, (m) => m.data?.barrier === marker.barrier, `the barrier message on ${rec.connectionId}`);
}

/** An emulator, a service client on `HUB`, and `connect(token, options)` for SDK clients on it. */
export async function setup(t) {
  const emulator = await startEmulator(t);
  const service = serviceClient(emulator, HUB);
  const connect = (token = {}, options = {}) => connectClient(t, emulator, { hub: HUB, token, options });
  return { emulator, service, connect };
}
