// The running chat: one self-healing connection, the user and chat lists kept in step with
// the server, idle reporting, and the hand-over to `events.js` and `actions.js`.
//
// Every time a socket opens (the first time and after each reconnect): announce the user
// (`userConnected`), reload both lists while holding back server events (then replay them,
// which is safe because each one sets or removes a single entry), wait for the server's
// `userOnline` about us, and count as online. Nothing is rejoined: membership is kept by the
// server, which puts every new connection of a member in their chats as it opens. A lost
// connection shows in the header, never as lines in the chats.

import { createActions } from './actions.js';
import * as api from './api.js';
import { Connection } from './connection.js';
import { createDeliveries } from './deliveries.js';
import { applyServerEvent } from './events.js';
import { watchIdle } from './idle.js';
import { groupMessage, isPrivateChatId, otherUserOf, parseFrame, userEvent } from './protocol.js';
import { activateTab, addMessage, closeTab, createState, findTab, nameOf, openTab, toast } from './state.js';

export function createSession(me, settings) {
  const state = createState(me);
  let held = null; // server events that arrived while the lists were loading
  let loading = null;
  let announced = null; // resolves with our own `userOnline`
  let socketCount = 0;

  const connection = new Connection({
    getUrl: async () => {
      try {
        const url = await api.fetchSocketUrl();
        state.connection.problem = null;
        return url;
      } catch (error) {
        error.fatal = error instanceof api.SignedOutError;
        state.connection.problem = error instanceof api.RefusedError ? error.message : null;
        throw error;
      }
    },
    onOpen,
    onFrame,
    onDrop,
    onStatus(status, retryAt) {
      state.connection.status = status;
      state.connection.retryAt = retryAt;
    },
    onFatal() {
      window.location.assign('/login.html');
    },
  });

  const ctx = {
    state,
    me,
    pendingCreates: new Set(),
    meOnline: (user) => announced?.resolve(user),
    resync: () => loadLists().then(closeVanishedTabs, () => {}),
    notifyInvite,
  };

  function send(frame) {
    if (state.online && connection.send(frame)) return true;
    toast(state, 'warning', 'You are offline right now. Try again once chatr has reconnected.');
    return false;
  }

  const deliveries = createDeliveries(({ chatId, text }, why) => {
    const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    addMessage(state, chatId, { kind: 'notice', text: `Not delivered (${why}): “${preview}”`, local: true, failed: true });
  });

  function sendToChat(chatId, text) {
    const ackId = deliveries.track(chatId, text);
    if (send(groupMessage(chatId, text, me, ackId))) return true;
    deliveries.forget(ackId);
    return false;
  }

  const idle = watchIdle({
    timeoutMs: settings.idleSeconds * 1000,
    onIdle: () => state.online && connection.send(userEvent('userEnterIdle', me.userId)),
    onActive: () => state.online && connection.send(userEvent('userExitIdle', me.userId)),
  });

  async function onOpen() {
    const socket = ++socketCount;
    let resolve;
    announced = { promise: new Promise((r) => (resolve = r)), resolve: (u) => resolve(u) };
    connection.send(userEvent('userConnected', {}));
    let meUser;
    try {
      [meUser] = await Promise.all([announced.promise, loadLists()]);
    } catch {
      if (socket === socketCount) connection.drop();
      return;
    }
    if (socket !== socketCount) return;
    if (idle.isIdle() !== !!meUser.idle) {
      connection.send(userEvent(idle.isIdle() ? 'userEnterIdle' : 'userExitIdle', me.userId));
    }
    if (state.started) toast(state, 'success', 'Reconnected.');
    state.online = true;
    state.started = true;
    connection.healthy();
    closeVanishedTabs();
  }

  function onDrop() {
    socketCount += 1;
    held = null;
    deliveries.dropAll();
    if (!state.online) return;
    state.online = false;
    toast(state, 'warning', 'Connection lost. Reconnecting…');
  }

  function onFrame(text) {
    const frame = parseFrame(text);
    if (frame?.kind === 'server') {
      if (held) held.push(frame);
      else applyServerEvent(ctx, frame.event, frame.payload);
    } else if (frame?.kind === 'ack') {
      deliveries.settle(frame);
    } else if (frame?.kind === 'notice') {
      openPrivateTab(frame.chatId);
      addMessage(state, frame.chatId, { kind: 'notice', text: frame.text });
    } else if (frame?.kind === 'chat') {
      openPrivateTab(frame.chatId);
      addMessage(state, frame.chatId, {
        kind: 'message',
        fromUserId: frame.fromUserId,
        name: nameOf(state, frame.fromUserId, frame.chatId),
        own: frame.fromUserId === me.userId,
        text: frame.text,
      });
    }
  }

  /**
   * A private chat's frame with no tab open (opened while we were away, or its tab closed):
   * its tab comes back, in the background, so that nothing said to us is dropped.
   */
  function openPrivateTab(chatId) {
    if (!isPrivateChatId(chatId) || findTab(state, chatId)) return;
    const other = otherUserOf(chatId, me.userId);
    if (other === null) return;
    const name = state.users[other]?.userName ?? state.direct[chatId]?.withName ?? other;
    openTab(state, chatId, `Chat with ${name}`, false);
  }

  /** Reloads both lists; server events meanwhile are held, then replayed on top. */
  function loadLists() {
    loading ??= (async () => {
      held = [];
      try {
        const [users, { chats, direct }] = await Promise.all([api.fetchUsers(), api.fetchChats()]);
        state.users = Object.fromEntries(
          Object.entries(users).map(([id, u]) => [id, { userName: u.userName, userProvider: u.userProvider, idle: !!u.idle }]),
        );
        state.chats = chats;
        state.direct = direct;
      } finally {
        const events = held ?? [];
        held = null;
        loading = null;
        for (const f of events) applyServerEvent(ctx, f.event, f.payload);
      }
    })();
    return loading;
  }

  /** Closes the tabs of group chats the fresh list no longer has (deleted while away). */
  function closeVanishedTabs() {
    for (const tab of [...state.tabs]) {
      if (!isPrivateChatId(tab.id) && !(tab.id in state.chats)) {
        toast(state, 'warning', `“${tab.name}” was deleted, so its tab was closed.`, 8000);
        closeTab(state, tab.id);
      }
    }
  }

  function notifyInvite(fromName, chatId) {
    if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
    const note = new Notification(`${fromName} wants to chat`, { body: 'Open chatr to reply.', icon: '/favicon.svg', tag: chatId });
    note.onclick = () => {
      window.focus();
      activateTab(state, chatId, true);
      note.close();
    };
  }

  document.addEventListener('visibilitychange', () => {
    const tab = findTab(state, state.activeId);
    if (!document.hidden && tab) tab.unread = 0;
  });
  window.addEventListener('online', () => connection.retryNow());

  return {
    state,
    actions: createActions({ state, me, send, sendToChat, pendingCreates: ctx.pendingCreates, retryNow: () => connection.retryNow() }),
    start: () => connection.start(),
  };
}
