// The emulator over HTTPS (`--cert`, `--key`), like Azurite: a certificate made here with the
// system's openssl (a CA and a leaf for localhost and 127.0.0.1), Microsoft's service and
// client SDKs trusting it through NODE_EXTRA_CA_CERTS (no `allowInsecureConnection`), and
// `chatr serve` trusting it through CHATR_EXTRA_CA_CERTS.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, spawnChatr } from '../spawn-chatr.mjs';
import { defer, JSON_SUBPROTOCOL, openRaw } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** A CA and a leaf it signed for localhost and 127.0.0.1, in a temporary folder. */
function makeCertificates(t) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatr-tls-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  const file = (name) => path.join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=chatr test CA');
  openssl('req', ...ec, '-keyout', file('key.pem'), '-out', file('leaf.csr'), '-subj', '/CN=localhost');
  writeFileSync(file('leaf.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('leaf.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('cert.pem'),
    '-days',
    '1',
    '-extfile',
    file('leaf.ext'),
  );
  return { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem'), dir };
}

/** An emulator over HTTPS; with no `eventHandler`, one that sends no events anywhere. */
async function startHttpsEmulator(t, files, eventHandler) {
  const events = eventHandler
    ? ['--event-handler', eventHandler]
    : ['--event-handler', 'http://127.0.0.1:9/api/{event}', '--system-events', '', '--user-events', ''];
  const emulator = await spawnChatr(['emulator', '--port', '0', '--cert', files.cert, '--key', files.key, ...events]);
  defer(t, () => emulator.stop());
  return emulator;
}

/** Runs https-sdk-client.mjs in a Node of its own with `env`; resolves with its JSON line. */
function runSdkClient(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(HERE, 'https-sdk-client.mjs')], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code, ...JSON.parse(out.trim().split('\n').at(-1)) });
      } catch {
        reject(new Error(`the SDK client printed no result (exit ${code}): ${out}\n${err}`));
      }
    });
  });
}

test('with --cert and --key the emulator speaks HTTPS and WSS, and says so', async (t) => {
  const files = makeCertificates(t);
  const emulator = await startHttpsEmulator(t, files);
  assert.match(emulator.ready.emulator, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(emulator.ready.connectionString, /^Endpoint=https:\/\/localhost:\d+;/);
  const port = new URL(emulator.ready.emulator).port;
  // Plain HTTP to the TLS port gets no HTTP answer.
  await assert.rejects(fetch(`http://127.0.0.1:${port}/api/health`));
});

test("the service SDK and the client SDK work over it when Node trusts the emulator's CA", async (t) => {
  const files = makeCertificates(t);
  const emulator = await startHttpsEmulator(t, files);
  const trusted = await runSdkClient({
    CONNECTION_STRING: emulator.ready.connectionString,
    NODE_EXTRA_CA_CERTS: files.ca,
  });
  assert.equal(trusted.ok, true, trusted.error);
  assert.match(trusted.url, /^wss:\/\/localhost:\d+\/client\/hubs\/chat$/);
  assert.deepEqual(trusted.received.sort(), ['from the client over wss', 'from the service over https']);
  assert.deepEqual(trusted.userExists, [false, true]);

  // The same program without the CA: the certificate is checked, and the service SDK's first
  // REST call is refused.
  const untrusted = await runSdkClient({ CONNECTION_STRING: emulator.ready.connectionString });
  assert.equal(untrusted.ok, false);
  assert.equal(untrusted.step, 'service', untrusted.error);
  assert.match(untrusted.error, /certificate/i);
});

test('chatr serve calls an HTTPS emulator when CHATR_EXTRA_CA_CERTS names its CA', async (t) => {
  const files = makeCertificates(t);
  const handlerPort = await freePort();
  const emulator = await startHttpsEmulator(t, files, `http://127.0.0.1:${handlerPort}/api/eventHandler`);
  const handler = await spawnChatr(['serve'], {
    env: {
      WebPubSubConnectionString: emulator.ready.connectionString,
      FUNCTIONS_CUSTOMHANDLER_PORT: String(handlerPort),
      CHATR_DATA_DIR: path.join(files.dir, 'data'),
      CHATR_EXTRA_CA_CERTS: files.ca,
    },
  });
  defer(t, () => handler.stop());
  const principal = Buffer.from(
    JSON.stringify({ identityProvider: 'github', userId: 'tls-user-1', userDetails: 'tlsuser', userRoles: ['authenticated'] }),
  ).toString('base64');
  const tokenResponse = await fetch(`${handler.ready.handler}/api/getToken`, {
    headers: { 'x-ms-client-principal': principal },
  });
  assert.equal(tokenResponse.status, 200);
  const { url } = await tokenResponse.json();
  assert.match(url, /^wss:\/\/localhost:\d+\//);
  const sock = await openRaw(t, url, [JSON_SUBPROTOCOL], { ca: [readFileSync(files.ca)] });
  assert.equal(sock.status, undefined, `the handshake: ${sock.status} ${sock.body} ${sock.error}`);
  await sock.next((f) => f.type === 'system' && f.event === 'connected', 'connected');
  // userOnline reaches the socket only through the handler's REST call to the emulator.
  sock.sendJson({ type: 'event', event: 'userConnected', dataType: 'json', data: {} });
  const online = await sock.next((f) => f.data?.chatEvent === 'userOnline', 'userOnline');
  assert.equal(JSON.parse(online.data.data).userName, 'tlsuser');
});

test('chatr serve refuses to start when CHATR_EXTRA_CA_CERTS holds no certificate', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatr-tls-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'empty.pem'), 'not a certificate\n');
  await assert.rejects(
    spawnChatr(['serve'], {
      env: {
        WebPubSubConnectionString: 'Endpoint=https://localhost;Port=1;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;',
        FUNCTIONS_CUSTOMHANDLER_PORT: '0',
        CHATR_DATA_DIR: path.join(dir, 'data'),
        CHATR_EXTRA_CA_CERTS: path.join(dir, 'empty.pem'),
      },
    }),
    /CHATR_EXTRA_CA_CERTS/,
  );
});
