// The running chat: one self-healing connection, the user and chat lists kept in step with
// the server, idle reporting, and the hand-over to `events.js` and `actions.js`.
//
// Every time a socket opens (the first time and after each reconnect): announce the user
// (`userConnected`), reload both lists while holding back server events (then replay them,
// which is safe because each one sets or removes a single entry), wait for the server's
// `userOnline` about us, and count as online. Nothing is rejoined: membership is kept by the
// server, which puts every new connection of a member in their chats as it opens. A lost
// connection shows in the header, never as lines in the chats; after it, every open tab catches
// up from the server's history and our messages the drop left unconfirmed go again (their
// `clientId` makes a resend of a stored one harmless).

import { watch } from '../vendor/vue.esm-browser.prod.js';
import { createActions } from './actions.js';
import { createAlerts } from './alerts.js';
import * as api from './api.js';
import { Connection } from './connection.js';
import { createDeliveries } from './deliveries.js';
import { applyServerEvent } from './events.js';
import { createHistory } from './history.js';
import { watchIdle } from './idle.js';
import { entryOf, newestId, pendingEntry, unconfirmed } from './messages.js';
import { createNameLookup } from './name-lookup.js';
import { isPrivateChatId, otherUserOf, parseFrame, privateChatName, sendMessageEvent, userEvent } from './protocol.js';
import { createReadState } from './read-state.js';
import { addMessage, closeTab, countUnread, createState, findTab, learnName, nameOf, openTab, receive, toast } from './state.js';

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
    receive: receiveStored,
    failMessage,
  };

  function send(frame) {
    if (state.online && connection.send(frame)) return true;
    toast(state, 'warning', 'You are offline right now. Try again once chatr has reconnected.');
    return false;
  }

  /** Sends a user event and resolves once the handler has answered it (true) or it was lost
   * (false); null when it could not be sent. */
  function sendAndWait(name, data) {
    const { ackId, done } = deliveries.expect();
    if (send(userEvent(name, data, ackId))) return done.then((ack) => ack.success);
    deliveries.forget(ackId);
    return null;
  }

  const history = createHistory({
    me,
    onError(error) {
      if (error instanceof api.SignedOutError) window.location.assign('/login.html');
      else if (error instanceof api.RefusedError) toast(state, 'warning', error.message);
    },
    onEntry(tab, entry, news) {
      if (!entry.deleted) learnName(state, entry.fromUserId, entry.name);
      // Sent while we were away: as if it had come live.
      if (news) {
        countUnread(state, tab, entry);
        alerts.arrived(entry, 'new');
      }
    },
  });

  /** Our message with `clientId` in `chatId`, while pending or failed. */
  function ours(chatId, clientId) {
    const tab = findTab(state, chatId);
    return tab ? unconfirmed(tab.messages, clientId) : null;
  }

  /** Marks our message with `clientId` in `chatId` failed, with why; `again`: it goes again by
   * itself after the next reconnect. */
  function failMessage(chatId, clientId, why, again = false) {
    const entry = ours(chatId, clientId);
    if (!entry) return false;
    Object.assign(entry, { status: 'failed', error: why, again });
    return true;
  }

  const deliveries = createDeliveries(({ chatId, clientId }, why, error) => {
    failMessage(chatId, clientId, `Not sent: ${why}.`, error === 'ConnectionLost');
  });

  /** Sends (or sends again) our entry; it stays pending until its stored copy arrives. */
  function transmit(entry) {
    const ackId = deliveries.track({ chatId: entry.chatId, clientId: entry.clientId });
    Object.assign(entry, { status: 'pending', error: null, again: false });
    if (state.online && connection.send(sendMessageEvent(entry.chatId, entry.text, entry.clientId, ackId, entry.mentions))) return;
    deliveries.forget(ackId);
    Object.assign(entry, { status: 'failed', error: 'Not sent: you are offline. It goes as soon as chatr reconnects.', again: true });
  }

  /** Shows our new message at once and sends it; `mentions`: the user ids it mentions. */
  function sendChatMessage(chatId, text, mentions = []) {
    const tab = findTab(state, chatId);
    if (!tab) return false;
    const entry = pendingEntry(chatId, text, crypto.randomUUID(), me, mentions);
    tab.messages.push(entry);
    // What we write is read: the "new messages" line has done its work.
    tab.divider = null;
    transmit(tab.messages[tab.messages.length - 1]);
    return true;
  }

  function retryMessage(chatId, clientId) {
    const entry = ours(chatId, clientId);
    if (entry) transmit(entry);
  }

  /** A stored message from the server: our answer, a delivery, or an edit or delete. */
  function receiveStored(payload) {
    const entry = entryOf(payload, me.userId);
    if (!entry) return;
    // A new message brings its private chat back; an edit or a delete does not.
    if (!entry.editedAt && !entry.deleted) openPrivateTab(entry.chatId);
    alerts.arrived(entry, receive(state, entry));
  }

  /** After a reconnect: every tab catches up, then what the drop left unsent goes again. */
  function catchUpAll() {
    for (const tab of [...state.tabs]) {
      history.catchUp(tab).then(() => {
        for (const entry of tab.messages.filter((e) => e.again && e.id === null)) transmit(entry);
      });
    }
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
    const reconnected = state.started;
    state.online = true;
    state.started = true;
    connection.healthy();
    closeVanishedTabs();
    openUnreadPrivateTabs();
    if (reconnected) catchUpAll();
  }

  function onDrop() {
    socketCount += 1;
    // Where each tab's catch-up starts: from what it had when the connection went.
    for (const tab of state.tabs) tab.newestAtDrop ??= newestId(tab.messages) ?? '';
    held = null;
    deliveries.dropAll();
    state.online = false;
    // Who was typing is not known any more.
    state.typing = {};
  }

  function onFrame(text) {
    const frame = parseFrame(text);
    if (frame?.kind === 'server') {
      if (held) held.push(frame);
      else applyServerEvent(ctx, frame.event, frame.payload);
    } else if (frame?.kind === 'ack') {
      deliveries.settle(frame);
    } else if (frame?.kind === 'message') {
      receiveStored(frame.payload);
    } else if (frame?.kind === 'notice') {
      // Notices are not news: shown in a group chat open here, never opening one. A private
      // chat's ("… wants to chat") says nothing its first message does not.
      if (!isPrivateChatId(frame.chatId)) addMessage(state, frame.chatId, { kind: 'notice', text: frame.text });
    } else if (frame?.kind === 'chat') {
      openPrivateTab(frame.chatId);
      addMessage(state, frame.chatId, {
        kind: 'chat',
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
    openTab(state, chatId, privateChatName(name), false);
  }

  /** A private conversation with messages we have not read (sent while we were away) comes
   * back as a tab, in the background, with its count. */
  function openUnreadPrivateTabs() {
    for (const [chatId, chat] of Object.entries(state.direct)) {
      if (!(chat.unread > 0) || findTab(state, chatId)) continue;
      openPrivateTab(chatId);
      const tab = findTab(state, chatId);
      if (tab) tab.unread = chat.unread;
    }
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
        for (const [id, u] of Object.entries(users)) learnName(state, id, u.userName);
        for (const d of Object.values(direct)) learnName(state, d.with, d.withName);
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

  const alerts = createAlerts(state);

  // Closed private chats stay closed across reloads (until their next message).
  const hiddenKey = `chatr.hidden.${me.userId}`;
  try {
    Object.assign(state.hidden, JSON.parse(localStorage.getItem(hiddenKey) ?? '{}'));
  } catch {
    // A value we cannot read: nothing hidden.
  }
  watch(
    () => JSON.stringify(state.hidden),
    (value) => {
      try {
        if (localStorage.getItem(hiddenKey) !== value) localStorage.setItem(hiddenKey, value);
      } catch {
        // Storage full or refused: hidden for this page only.
      }
    },
  );
  // Another tab of ours closed (or brought back) a conversation: the same here.
  window.addEventListener('storage', (event) => {
    if (event.key !== hiddenKey) return;
    try {
      const hidden = JSON.parse(event.newValue ?? '{}');
      for (const id of Object.keys(state.hidden)) if (!hidden[id]) delete state.hidden[id];
      Object.assign(state.hidden, hidden);
    } catch {
      // Not ours to read: left as it is.
    }
  });

  /** Sends a frame that is not news if it is lost (no toast when offline). */
  const sendQuietly = (frame) => state.online && connection.send(frame);
  const readState = createReadState({ state, sendQuietly });
  document.addEventListener('visibilitychange', () => {
    state.visible = !document.hidden;
  });
  window.addEventListener('online', () => connection.retryNow());
  // The browser knows the network is gone before a dead socket says so: offline now.
  window.addEventListener('offline', () => connection.drop());

  return {
    state,
    actions: createActions({
      state,
      me,
      send,
      sendAndWait,
      sendChatMessage,
      retryMessage,
      history,
      pendingCreates: ctx.pendingCreates,
      retryNow: () => connection.retryNow(),
      sendQuietly,
      markReadNow: (chatId) => readState.flushNow(chatId),
      wantName: createNameLookup(state),
    }),
    start: () => connection.start(),
  };
}
