// A child program for https.test.mjs: Microsoft's service SDK and client SDK against an HTTPS
// emulator, run in a Node process of its own so that the test can start it with (or without)
// NODE_EXTRA_CA_CERTS, which Node reads only at start-up. No `allowInsecureConnection`.
// Prints one JSON line, {"ok":true,…} or {"ok":false,"error":…}, and exits 0 or 1.

import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubClient, WebPubSubJsonProtocol } from '@azure/web-pubsub-client';

const connectionString = process.env.CONNECTION_STRING;
const deadline = setTimeout(() => finish({ ok: false, error: 'timed out after 15 s' }), 15_000);
let client;
/** How far it got: `service` (a REST call), `client` (the WebSocket), `done`. */
let step = 'service';

function finish(result) {
  clearTimeout(deadline);
  console.log(JSON.stringify(result));
  client?.stop();
  process.exit(result.ok ? 0 : 1);
}

try {
  const service = new WebPubSubServiceClient(connectionString, 'chat', {
    retryOptions: { maxRetries: 0 },
  });
  // A REST call first: the service SDK's own HTTPS, before the client SDK's WSS.
  const before = await service.userExists('tls-user');
  step = 'client';
  const { url } = await service.getClientAccessToken({
    userId: 'tls-user',
    roles: ['webpubsub.joinLeaveGroup.tls', 'webpubsub.sendToGroup.tls'],
  });
  client = new WebPubSubClient(url, {
    protocol: WebPubSubJsonProtocol(),
    autoReconnect: false,
    messageRetryOptions: { maxRetries: 0 },
  });
  const received = [];
  let wake;
  client.on('group-message', (e) => {
    received.push(e.message.data);
    wake?.();
  });
  await client.start();
  await client.joinGroup('tls');
  await service.group('tls').sendToAll('from the service over https', { contentType: 'text/plain' });
  await client.sendToGroup('tls', 'from the client over wss', 'text');
  while (received.length < 2) await new Promise((r) => (wake = r));
  const exists = await service.userExists('tls-user');
  step = 'done';
  finish({ ok: true, url: url.split('?')[0], received, userExists: [before, exists] });
} catch (e) {
  finish({ ok: false, step, error: `${e?.code ?? ''} ${e?.message ?? e}`.trim() });
}
