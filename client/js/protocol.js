// The chat's wire protocol over Web PubSub's `json.webpubsub.azure.v1` subprotocol: the frames
// the client sends and a parser that turns every frame it receives into a plain record.
// Pure functions, no DOM: the Node tests import this file as it is.

export const SUBPROTOCOL = 'json.webpubsub.azure.v1';

/** Server events whose `data` is a JSON string (the others carry a bare id). */
const JSON_PAYLOADS = new Set([
  'userOnline',
  'chatCreated',
  'joinPrivateChat',
  'actionRefused',
  'messageEdited',
  'messageDeleted',
  'typing',
  'chatRead',
]);

/**
 * A user event for the handler; a string goes as `text`, anything else as `json`. With an
 * `ackId`, the service acks it once the handler has answered.
 */
export function userEvent(name, data, ackId) {
  const frame = { type: 'event', event: name, dataType: typeof data === 'string' ? 'text' : 'json', data };
  return ackId === undefined ? frame : { ...frame, ackId };
}

/**
 * A chat message, through the server: `sendMessage` with our idempotency key (a resend with the
 * same `clientId` is the same message) and the ids of those it mentions. The handler's answer is the stored message; the ack
 * says whether the service delivered the event at all.
 */
export function sendMessageEvent(chatId, text, clientId, ackId, mentions = []) {
  const data = mentions.length > 0 ? { chatId, text, clientId, mentions } : { chatId, text, clientId };
  return userEvent('sendMessage', data, ackId);
}

/** The id the server gives the private chat of two users (`private_<lower>_<higher>`). */
export function privateChatId(a, b) {
  return a < b ? `private_${a}_${b}` : `private_${b}_${a}`;
}

/** The name the server gives a private chat: "Chat with NAME" (its other user's). */
export function privateChatName(otherName) {
  return `Chat with ${otherName}`;
}

/** The other user's name in a private chat's name. */
export function otherNameIn(chatName) {
  return String(chatName).replace(/^Chat with /, '');
}

export function isPrivateChatId(id) {
  return id.startsWith('private_');
}

function decodePayload(event, data) {
  if (!JSON_PAYLOADS.has(event)) return typeof data === 'string' ? data : null;
  if (typeof data !== 'string') return data && typeof data === 'object' ? data : null;
  try {
    const value = JSON.parse(data);
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}

/**
 * One received frame as a record, or null for anything the chat does not use:
 * - `{kind: 'system', event, connectionId}`: the service's own `connected`/`disconnected`;
 * - `{kind: 'ack', ackId, success, error}`: the service's answer to a frame with an `ackId`
 *   (`error` is its name, e.g. `Forbidden`);
 * - `{kind: 'server', event, payload}`: a chat event (payload parsed, or the bare id);
 * - `{kind: 'message', payload}`: a stored message (or tombstone) the server sent: the answer
 *   to our `sendMessage`, or a delivery to a chat's group or to us;
 * - `{kind: 'notice', chatId, text}`: a server notice to a chat (no sender on the frame);
 * - `{kind: 'chat', chatId, fromUserId, text}`: a member's own publish (the direct relay),
 *   sender as the service stamped it.
 * Only the server sends group frames without a sender; a member's frame is never a notice or a
 * stored message, whatever it holds.
 */
export function parseFrame(raw) {
  let frame;
  try {
    frame = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!frame || typeof frame !== 'object') return null;
  if (frame.type === 'system') {
    return { kind: 'system', event: frame.event, connectionId: frame.connectionId ?? null };
  }
  if (frame.type === 'ack' && Number.isInteger(frame.ackId)) {
    return { kind: 'ack', ackId: frame.ackId, success: frame.success === true, error: frame.error?.name ?? null };
  }
  if (frame.type !== 'message') return null;
  if (frame.from === 'server') return fromServer(frame.data);
  if (frame.from !== 'group' || typeof frame.group !== 'string') return null;
  const sender = typeof frame.fromUserId === 'string' && frame.fromUserId !== '' ? frame.fromUserId : null;
  if (sender === null) {
    // The server's send to a chat's group: a notice, a message, or an edit or delete.
    if (typeof frame.data === 'string') return { kind: 'notice', chatId: frame.group, text: frame.data };
    return fromServer(frame.data);
  }
  const text = typeof frame.data === 'string' ? frame.data : frame.data?.message;
  return typeof text === 'string' ? { kind: 'chat', chatId: frame.group, fromUserId: sender, text } : null;
}

/** What the server sent: a stored message, or a chat event `{chatEvent, data}`. */
function fromServer(data) {
  if (isStored(data)) return { kind: 'message', payload: data };
  if (!data || typeof data.chatEvent !== 'string') return null;
  const payload = decodePayload(data.chatEvent, data.data);
  return payload === null ? null : { kind: 'server', event: data.chatEvent, payload };
}

/** Whether `data` is a stored message's payload: an object with a string `id` and `chatId`. */
function isStored(data) {
  return !!data && typeof data === 'object' && typeof data.id === 'string' && typeof data.chatId === 'string';
}

/** The other user of a private chat id that `myId` is in, or null. */
export function otherUserOf(chatId, myId) {
  if (!isPrivateChatId(chatId)) return null;
  const pair = chatId.slice('private_'.length);
  if (pair.startsWith(`${myId}_`)) return pair.slice(myId.length + 1);
  if (pair.endsWith(`_${myId}`)) return pair.slice(0, -(myId.length + 1));
  return null;
}
