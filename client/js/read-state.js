// Our read cursors: what the visible chat shows counts as read. The newest message of the
// chat in view (the page visible) goes to the server as `markRead`, at most once every
// `EVERY_MS` per chat, so that unread counts are right on every device and after a reload.
// The lists' counts (`unread`, `mentions` from /api/chats) drop to zero as a chat is read, and
// the chat's "new messages" line goes where the reading had stopped.

import { watchEffect } from '../vendor/vue.esm-browser.prod.js';
import { newestId } from './messages.js';
import { userEvent } from './protocol.js';
import { dropInvite, findTab, placeDivider } from './state.js';

/** The least time between two `markRead` of one chat. */
export const EVERY_MS = 2000;

export function createReadState({ state, sendQuietly }) {
  const sent = new Map(); // chatId -> newest id sent
  const timers = new Map(); // chatId -> a pending send

  function flush(chatId) {
    timers.delete(chatId);
    // What was in view when it was seen: a message that came since (the reader gone to another
    // chat meanwhile) is not read.
    const newest = findTab(state, chatId)?.seenUpTo;
    if (!newest || newest <= (sent.get(chatId) ?? '')) return;
    if (sendQuietly(userEvent('markRead', { chatId, id: newest }))) sent.set(chatId, newest);
  }

  function seen(tab) {
    const listed = state.chats[tab.id] ?? state.direct[tab.id];
    placeDivider(state, tab);
    tab.unread = 0;
    tab.mentions = 0;
    // Coming back to a hidden page on this chat: its popup has been answered.
    dropInvite(state, tab.id);
    if (listed) Object.assign(listed, { unread: 0, mentions: 0 });
    const newest = newestId(tab.messages);
    if (newest) {
      tab.seenUpTo = newest;
      // A tab opened again later starts its line from here, not from the page's first load.
      if (listed && newest > (listed.readUpTo ?? '')) listed.readUpTo = newest;
    }
    if (!newest || newest <= (sent.get(tab.id) ?? '') || timers.has(tab.id)) return;
    const last = sent.has(tab.id) ? EVERY_MS : 0;
    timers.set(
      tab.id,
      setTimeout(() => flush(tab.id), last),
    );
  }

  /** Sends a chat's cursor now if one is waiting (the tab is closing, or the page going). */
  function flushNow(chatId) {
    if (!timers.has(chatId)) return;
    clearTimeout(timers.get(chatId));
    flush(chatId);
  }

  watchEffect(() => {
    const tab = findTab(state, state.activeId);
    if (!tab || !state.online || !state.visible) return;
    // `seen` reads the tab's newest message: a new one (or a loaded page) runs this again.
    seen(tab);
  });
  // A reload or a closed page keeps what was read.
  window.addEventListener('pagehide', () => {
    for (const chatId of [...timers.keys()]) flushNow(chatId);
  });

  return { flushNow };
}
