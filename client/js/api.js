// The HTTP calls the client makes: who am I (`/.auth/me`), the lists, and a fresh Web PubSub
// URL. A signed-out answer (401, or the Static Web Apps redirect to the login page) is a
// SignedOutError, so the caller can send the person to sign in instead of retrying; a 429
// carries the server's words (too many tabs, say), to show while retrying.

export class SignedOutError extends Error {
  constructor() {
    super('You are signed out.');
    this.name = 'SignedOutError';
  }
}

/** A refusal to show: the server's own message (a 429 such as `tooManyConnections`). */
export class RefusedError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'RefusedError';
    this.code = code;
  }
}

async function getJson(path) {
  const response = await fetch(path, {
    credentials: 'same-origin',
    redirect: 'manual',
    headers: { accept: 'application/json' },
  });
  if (response.type === 'opaqueredirect' || response.status === 401) throw new SignedOutError();
  if (response.status === 429) {
    const body = await response.json().catch(() => ({}));
    throw new RefusedError(body.error?.code ?? 'tooMany', body.error?.message ?? 'chatr is busy; trying again soon.');
  }
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

/** The signed-in principal (`{identityProvider, userId, userDetails, …}`), or null. */
export async function fetchMe() {
  const body = await getJson('/.auth/me');
  return body.clientPrincipal ?? null;
}

/** Online users: `{<userId>: {userName, userProvider, idle}}`. */
export async function fetchUsers() {
  return (await getJson('/api/users')).users ?? {};
}

/**
 * Group chats and our private chats: `{chats: {<chatId>: {id, name, members, owner, unread?,
 * mentions?, readUpTo?}}, direct: {<chatId>: {id, with, withName, unread?, mentions?, readUpTo?}}}`.
 */
export async function fetchChats() {
  const body = await getJson('/api/chats');
  return { chats: body.chats ?? {}, direct: body.direct ?? {} };
}

/**
 * A page of a chat's history: `params` is `{limit, before}` or `{limit, after}`; answers
 * `{messages: [oldest … newest], next}`. A 429 (reading too fast) is a RefusedError.
 */
export async function fetchMessages(chatId, params) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined));
  const body = await getJson(`/api/chats/${encodeURIComponent(chatId)}/messages?${query}`);
  return { messages: Array.isArray(body.messages) ? body.messages : [], next: typeof body.next === 'string' ? body.next : null };
}

/** A client access URL with a fresh token. */
export async function fetchSocketUrl() {
  const { url } = await getJson('/api/getToken');
  if (typeof url !== 'string') throw new Error('/api/getToken gave no url');
  return url;
}

/**
 * People whose name starts with `q`, online or not (`chatId`: only that chat's members):
 * `{users: [{userId, userName, userProvider, idle, online}], next}`. `after` goes on from a
 * page's `next`.
 */
export async function searchUsers(q, { chatId = null, after = null, limit = 20 } = {}) {
  const query = new URLSearchParams({ q, limit: String(limit) });
  if (chatId) query.set('chatId', chatId);
  if (after) query.set('after', after);
  const body = await getJson(`/api/users?${query}`);
  return { users: Array.isArray(body.users) ? body.users : [], next: typeof body.next === 'string' ? body.next : null };
}

/** The users with these ids (at most 50), online or not: `[{userId, userName, …}]`. */
export async function fetchUsersByIds(ids) {
  const body = await getJson(`/api/users?ids=${ids.map(encodeURIComponent).join(',')}`);
  return Array.isArray(body.users) ? body.users : [];
}
