// What a person can do, as events to the server and changes to the state.

import { privateChatId, userEvent } from './protocol.js';
import { activateTab, closeTab, dismissToast, findTab, openTab, toast } from './state.js';

/** Longest chat name the server takes. */
export const MAX_NAME = 64;
/** Longest message the composer takes. */
export const MAX_MESSAGE = 4000;

export function createActions({ state, me, send, sendToChat, pendingCreates, retryNow }) {
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
     */
    joinChat(id) {
      if (findTab(state, id)) return activateTab(state, id, true);
      const chat = state.chats[id];
      if (!chat) return;
      if (send(userEvent('joinChat', id))) {
        chat.members = { ...chat.members, [me.userId]: { userId: me.userId, userName: me.userDetails } };
        openTab(state, id, chat.name, true);
      }
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
     * Opens the private chat with a user: the server's `joinPrivateChat` opens the tab. It tells
     * the other only when they are not in it yet, so reopening one is quiet.
     */
    startPrivateChat(userId) {
      if (userId === me.userId) return;
      const id = privateChatId(me.userId, userId);
      if (findTab(state, id)) return activateTab(state, id, true);
      send(userEvent('createPrivateChat', { initiatorUserId: me.userId, targetUserId: userId }));
    },

    /** Sends a message; false (nothing sent) for an empty or whitespace-only one. */
    sendMessage(chatId, text) {
      const body = text.replace(/\s+$/, '');
      if (body.trim() === '' || body.length > MAX_MESSAGE) return false;
      return sendToChat(chatId, body);
    },

    showTab: (id, focus = false) => activateTab(state, id, focus),
    dismissInvite(chatId) {
      state.invites = state.invites.filter((i) => i.chatId !== chatId);
    },
    dismissToast: (key) => dismissToast(state, key),
    retryNow,

    async enableNotifications() {
      const answer = await Notification.requestPermission();
      state.notifications = answer;
      if (answer === 'granted') toast(state, 'success', 'You will be notified of private chats while chatr is in the background.');
    },
  };
}
