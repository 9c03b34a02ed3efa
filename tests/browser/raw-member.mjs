// A chat member without a browser: a bare WebSocket speaking the wire protocol, signed in as
// its own user, used to send what the browser client never would (forged sender fields, a
// direct publish to a group dressed as a server notice).

import WebSocket from 'ws';
import { inbox } from '../inbox.mjs';
import { authCookie, principal, WAIT_MS } from './harness.mjs';

export async function rawMember(base, name) {
  const cookie = `StaticWebAppsAuthCookie=${authCookie(principal(name))}`;
  const get = async (path) => {
    const response = await fetch(`${base}${path}`, { headers: { cookie } });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  };
  const { url } = await get('/api/getToken');
  const socket = new WebSocket(url, 'json.webpubsub.azure.v1');
  const received = inbox(socket, WAIT_MS);
  const waitFor = (test, what) => received.next(test, `${what} for ${name}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const send = (frame) => socket.send(JSON.stringify(frame));
  send({ type: 'event', event: 'userConnected', dataType: 'json', data: {} });
  await waitFor((f) => f.data?.chatEvent === 'userOnline' && f.data.data.includes(`"${name}-id"`), 'its userOnline');

  return {
    chats: async () => (await get('/api/chats')).chats,
    async joinAndWait(chatId) {
      send({ type: 'event', event: 'joinChat', dataType: 'text', data: chatId });
      await waitFor((f) => f.group === chatId && typeof f.data === 'string' && f.data.includes(`${name} has joined`), 'its join notice');
    },
    sendMessage: (data) => send({ type: 'event', event: 'sendMessage', dataType: 'json', data }),
    /** A direct publish to a group, answered by the service's ack (`{success, error}`). */
    async publishTextToGroup(group, data) {
      send({ type: 'sendToGroup', group, dataType: 'text', data, ackId: 41 });
      return waitFor((f) => f.type === 'ack' && f.ackId === 41, 'the ack of its publish');
    },
    async close() {
      socket.close();
      await new Promise((resolve) => socket.once('close', resolve));
    },
  };
}
