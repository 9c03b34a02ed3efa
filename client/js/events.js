// What each server event does to the state. `ctx` is the session: `{state, me,
// pendingCreates, resync(), meOnline(user), receive(payload), failMessage(chatId, clientId,
// why)}`.

import { otherNameIn, otherUserOf } from './protocol.js';
import { describeRefusal } from './refusals.js';
import { closeTab, dropInvite, findTab, learnName, openTab, toast } from './state.js';
import { withTyper } from './typing.js';

function userOnline(ctx, user) {
  const { state } = ctx;
  if (typeof user.userId !== 'string') return;
  state.users[user.userId] = { userName: user.userName, userProvider: user.userProvider, idle: !!user.idle };
  learnName(state, user.userId, user.userName);
  if (user.userId === ctx.me.userId) ctx.meOnline(user);
}

/** Someone left: gone from the people list (their chats say nothing: presence is not news). */
function userOffline(ctx, userId) {
  if (userId === ctx.me.userId) return;
  delete ctx.state.users[userId];
}

function setIdle(ctx, userId, idle) {
  const user = ctx.state.users[userId];
  if (user) user.idle = idle;
}

function chatCreated(ctx, chat) {
  const { state } = ctx;
  if (typeof chat.id !== 'string') return;
  state.chats[chat.id] = { id: chat.id, name: chat.name, owner: chat.owner, members: chat.members ?? {} };
  if (ctx.pendingCreates.delete(chat.id)) openTab(state, chat.id, chat.name, true);
}

function chatDeleted(ctx, chatId) {
  const { state } = ctx;
  const name = state.chats[chatId]?.name ?? findTab(state, chatId)?.name ?? 'A chat';
  const mine = !!state.deleting[chatId];
  delete state.chats[chatId];
  delete state.deleting[chatId];
  if (mine) {
    toast(state, 'success', `You deleted “${name}”.`);
  } else if (findTab(state, chatId)) {
    toast(state, 'warning', `“${name}” was deleted by its owner, so its tab was closed.`, 8000);
  }
  closeTab(state, chatId);
}

/**
 * A private chat of ours: listed under "Direct messages". The one who opened it (`grabFocus`)
 * gets its tab, in front; the other hears of it with its first message, not before.
 */
function joinPrivateChat(ctx, chat) {
  const { state } = ctx;
  if (typeof chat.id !== 'string') return;
  const other = otherUserOf(chat.id, ctx.me.userId);
  if (other === null) return;
  const known = state.direct[chat.id];
  state.direct[chat.id] = { ...known, id: chat.id, with: other, withName: otherNameIn(chat.name) };
  if (!chat.grabFocus) return;
  delete state.hidden[chat.id];
  state.direct[chat.id].opened = true;
  openTab(state, chat.id, chat.name, true);
}

/** Someone is typing in a chat: shown for a while (typing.js), or until their message comes. */
function typing(ctx, { chatId, userId, userName }) {
  const { state } = ctx;
  if (typeof chatId !== 'string' || typeof userId !== 'string' || userId === ctx.me.userId) return;
  const name = String(userName ?? userId);
  learnName(state, userId, name);
  state.typing[chatId] = withTyper(state.typing[chatId], userId, name, Date.now());
}

function actionRefused(ctx, refusal) {
  const { state } = ctx;
  // Read cursors and typing are bookkeeping: a refused one (too many, too fast) is not news.
  if (refusal.action === 'markRead' || refusal.action === 'typing') return;
  // A refused message of ours says why where it is shown, not in a toast.
  if (typeof refusal.clientId === 'string' && ctx.failMessage(refusal.chatId, refusal.clientId, describeRefusal(refusal))) return;
  toast(state, 'danger', describeRefusal(refusal));
  if (refusal.action === 'createChat') ctx.pendingCreates.clear();
  if (refusal.action === 'deleteChat') state.deleting = {};
  if (refusal.action === 'joinChat' && refusal.reason === 'chatNotFound') ctx.resync();
}

/**
 * We read a chat up to `id` in another tab or on another device: what is read here too stops
 * counting (messages after it still do), and its popup goes once nothing is left unread.
 */
function chatRead(ctx, { chatId, id }) {
  const { state } = ctx;
  if (typeof chatId !== 'string' || typeof id !== 'string') return;
  const listed = state.chats[chatId] ?? state.direct[chatId];
  if (listed && id > (listed.readUpTo ?? '')) listed.readUpTo = id;
  const tab = findTab(state, chatId);
  if (tab) {
    const after = tab.messages.filter((e) => e.id !== null && e.id > id && !e.own && !e.deleted);
    tab.unread = Math.min(tab.unread, after.length);
    tab.mentions = Math.min(tab.mentions, after.filter((e) => e.mentions?.includes(state.me.userId)).length);
  } else if (listed) {
    Object.assign(listed, { unread: 0, mentions: 0 });
  }
  if (!(tab?.unread > 0)) dropInvite(state, chatId);
}

const HANDLERS = {
  userOnline,
  userOffline,
  userIsIdle: (ctx, id) => setIdle(ctx, id, true),
  userNotIdle: (ctx, id) => setIdle(ctx, id, false),
  chatCreated,
  chatDeleted,
  joinPrivateChat,
  typing,
  chatRead,
  actionRefused,
  messageEdited: (ctx, message) => ctx.receive(message),
  messageDeleted: (ctx, message) => ctx.receive(message),
};

/** Applies one server event (unknown events are ignored). */
export function applyServerEvent(ctx, event, payload) {
  HANDLERS[event]?.(ctx, payload);
}
