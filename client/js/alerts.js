// What a new message sets off beyond its chat: the typing line of its sender ends; a private
// message out of sight brings its conversation back to the list and shows a popup with who
// wrote and its first line (never to the one who wrote it); and while the page is hidden, a
// private message or a mention of us comes as a browser notification too, when permitted.

import { activateTab, findTab, mentionsMe } from './state.js';

/** The longest first line a popup or notification shows. */
const PREVIEW_CHARS = 120;

/** The first line of a text, cut to `PREVIEW_CHARS`. */
export function preview(text) {
  const line =
    String(text)
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  const chars = [...line.trim()];
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : chars.join('');
}

export function createAlerts(state) {
  /** Whether the chat's messages are in front of the reader now. */
  function inView(chatId) {
    return state.activeId === chatId && !document.hidden;
  }

  function notify(title, body, chatId) {
    if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
    let note;
    try {
      note = new Notification(title, { body, icon: '/favicon.svg', tag: chatId });
    } catch {
      return; // Some browsers (Android's) allow notifications from a service worker only.
    }
    note.onclick = () => {
      window.focus();
      activateTab(state, chatId, true);
      note.close();
    };
  }

  /** A stored message merged into its chat (`result` as `merge` says: only 'new' is news). */
  function arrived(entry, result) {
    if (entry.fromUserId && state.typing[entry.chatId]?.[entry.fromUserId]) {
      delete state.typing[entry.chatId][entry.fromUserId];
    }
    if (result !== 'new' || entry.own || entry.deleted || entry.editedAt) return;
    const direct = state.direct[entry.chatId];
    const mentioned = mentionsMe(state, entry);
    if (direct) {
      delete state.hidden[entry.chatId];
      if (!inView(entry.chatId)) {
        const known = state.invites.find((i) => i.chatId === entry.chatId);
        const invite = { chatId: entry.chatId, fromName: entry.name, text: preview(entry.text), count: (known?.count ?? 0) + 1 };
        state.invites = [...state.invites.filter((i) => i.chatId !== entry.chatId), invite];
      }
      notify(entry.name, preview(entry.text), entry.chatId);
    } else if (mentioned) {
      const chat = state.chats[entry.chatId]?.name ?? findTab(state, entry.chatId)?.name ?? 'a chat';
      notify(`${entry.name} mentioned you in ${chat}`, preview(entry.text), entry.chatId);
    }
  }

  return { arrived };
}
