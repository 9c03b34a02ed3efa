// What a person can do, as events to the server and changes to the state.

import { privateChatId, privateChatName, userEvent } from './protocol.js';
import { activateTab, closeTab, dismissToast, dropInvite, findTab, openTab, toast } from './state.js';

/** Longest chat name the server takes. */
export const MAX_NAME = 64;
/** Longest message the composer takes. */
export const MAX_MESSAGE = 4000;

export function createActions({
  state,
  me,
  send,
  sendAndWait,
  sendChatMessage,
  retryMessage,
  history,
  pendingCreates,
  retryNow,
  sendQuietly,
  markReadNow,
  wantName,
}) {
  return {
    /** Creates a group chat; the server joins us and `chatCreated` opens its tab. */
    createChat(name) {
      const trimmed = name.trim();
      if (trimmed === '' || [...trimmed].length > MAX_NAME) return false;
      const id = crypto.randomUUID();
      pendingCreates.add(id);
      return send(userEvent('createChat', { name: trimmed, id }));
    },

    /**
     * Opens a chat's tab, joining it (membership lasts, and the server takes a member's join
     * again silently, so it is always sent: it also repairs a membership another tab ended).
     * Its history loads once the server has the join: only members may read it.
     */
    joinChat(id) {
      if (findTab(state, id)) return activateTab(state, id, true);
      const chat = state.chats[id];
      if (!chat) return;
      const joined = sendAndWait('joinChat', id);
      if (joined === null) return;
      chat.members = { ...chat.members, [me.userId]: { userId: me.userId, userName: me.userDetails } };
      const tab = openTab(state, id, chat.name, true);
      tab.history = 'joining';
      joined.then((ok) => {
        tab.history = 'idle';
        if (ok) history.open(tab);
        else tab.history = 'failed';
      });
    },

    /** Leaves a chat (we are no longer a member) and closes its tab. */
    leaveChat(id) {
      if (!send(userEvent('leaveChat', { chatId: id, userName: me.userDetails }))) return;
      const chat = state.chats[id];
      if (chat?.members) {
        const { [me.userId]: _left, ...others } = chat.members;
        chat.members = others;
      }
      delete state.direct[id];
      closeTab(state, id);
    },

    /** Asks the server to delete a chat we own; `chatDeleted` removes it everywhere. */
    deleteChat(id) {
      if (send(userEvent('deleteChat', id))) state.deleting[id] = true;
    },

    /**
     * Opens the private chat with a user, online or not: the server's `joinPrivateChat` opens
     * the tab. The other hears of it with its first message.
     */
    startPrivateChat(userId) {
      if (userId === me.userId) return;
      const id = privateChatId(me.userId, userId);
      delete state.hidden[id];
      if (findTab(state, id)) return activateTab(state, id, true);
      // Listed: we are in it already, nothing to ask the server (nor a chat-create token).
      if (state.direct[id]) return openTab(state, id, privateChatName(state.direct[id].withName), true);
      send(userEvent('createPrivateChat', { initiatorUserId: me.userId, targetUserId: userId }));
    },

    /** Opens one of our private chats from the list, here only (we are still in it: nothing
     * to ask the server; its history loads as the tab opens). */
    openDirect(chatId) {
      const chat = state.direct[chatId];
      if (!chat) return;
      delete state.hidden[chatId];
      openTab(state, chatId, privateChatName(chat.withName), true);
    },

    /** Closes a private chat here only: hidden from the list until its next message; the
     * other person is told nothing and stays in it. */
    hideDirect(chatId) {
      // What it shows has been read: it stays hidden until something new comes.
      markReadNow(chatId);
      state.hidden[chatId] = true;
      dropInvite(state, chatId);
      closeTab(state, chatId);
    },

    /** Sends a message; false (nothing sent) for an empty, whitespace-only or too long one.
     * `mentions`: the ids of the members it mentions. */
    sendMessage(chatId, text, mentions = []) {
      const body = text.trimEnd();
      if (body.trim() === '' || [...body].length > MAX_MESSAGE) return false;
      return sendChatMessage(chatId, body, mentions);
    },

    /** Asks the server for the name of someone we have not met (name-lookup.js). */
    wantName,

    /** Tells the chat's others that we are typing (not news: never a toast). */
    typing(chatId) {
      sendQuietly(userEvent('typing', { chatId }));
    },

    /** Sends a failed message of ours again (same `clientId`: stored once whatever happened). */
    retryMessage,

    /** Changes the text of a message of ours; the server's `messageEdited` shows it. */
    editMessage(chatId, id, text) {
      const body = text.trimEnd();
      if (body.trim() === '' || [...body].length > MAX_MESSAGE) return false;
      return send(userEvent('editMessage', { chatId, id, text: body }));
    },

    /** Deletes a message (ours, or any in a chat we own); `messageDeleted` shows it. */
    deleteMessage(chatId, id) {
      return send(userEvent('deleteMessage', { chatId, id }));
    },

    /** Loads a tab's newest messages unless it has them. */
    openHistory: (tab) => history.open(tab),
    /** Loads the page before the oldest message shown. */
    loadOlder: (tab) => history.older(tab),

    showTab: (id, focus = false) => activateTab(state, id, focus),
    dismissInvite(chatId) {
      dropInvite(state, chatId);
    },
    dismissToast: (key) => dismissToast(state, key),
    retryNow,

    async enableNotifications() {
      const answer = await Notification.requestPermission();
      state.notifications = answer;
      if (answer === 'granted')
        toast(state, 'success', 'You will be notified of direct messages and mentions while chatr is in the background.');
    },
  };
}
