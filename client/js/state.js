// The client's whole state, one reactive object the components read, and the few changes to
// it that several modules make: opening, focusing and closing chat tabs, adding messages,
// toasts.

import { reactive } from '../vendor/vue.esm-browser.prod.js';
import { floorId, MAX_ENTRIES, merge, newKey, oldestId, trim } from './messages.js';
import { isPrivateChatId } from './protocol.js';
import { mentionAt } from './text-parts.js';

/** A fresh state for the signed-in principal `me`. */
export function createState(me) {
  return reactive({
    me,
    users: {}, // userId -> {userName, userProvider, idle}: online now
    names: {}, // userId -> the name last seen for them (online or not: authors, search results)
    chats: {}, // chatId -> {id, name, owner, members}
    direct: {}, // our private chats: chatId -> {id, with, withName, unread?, mentions?, readUpTo?}
    tabs: [], // see openTab
    activeId: null,
    connection: { status: 'connecting', retryAt: 0, problem: null }, // problem: the server's words
    /** Signed in, lists loaded and announced online on the current socket. */
    online: false,
    /** Has been online once: from then on the main screen stays up through reconnects. */
    started: false,
    fatal: null,
    toasts: [],
    /** Private messages that arrived out of sight: {chatId, fromName, text, count}. */
    invites: [],
    /** Who is typing where: chatId -> userId -> {name, until} (ms since the epoch). */
    typing: {},
    /** Private chats closed by the user: hidden from the list until their next message. */
    hidden: {},
    deleting: {}, // chatId -> true while a delete is on its way
    /** The tab whose message box should take the focus (joined or opened by the user). */
    focusTabId: null,
    notifications: 'Notification' in window ? Notification.permission : 'unsupported',
    /** The page is in view (what the visible tab shows counts as read). */
    visible: !document.hidden,
  });
}

/** Closes the popup of a chat, if one is open. */
export function dropInvite(state, chatId) {
  if (state.invites.some((i) => i.chatId === chatId)) state.invites = state.invites.filter((i) => i.chatId !== chatId);
}

export function findTab(state, id) {
  return state.tabs.find((t) => t.id === id) ?? null;
}

/**
 * Makes a tab the visible one and clears its unread count and any invitation to it;
 * `focus` also puts the keyboard focus in its message box.
 */
export function activateTab(state, id, focus = false) {
  const tab = findTab(state, id);
  if (!tab) return;
  // The chat left behind has been read: its "new messages" line goes.
  const left = state.activeId !== id ? findTab(state, state.activeId) : null;
  if (left) left.divider = null;
  state.activeId = id;
  if (focus) state.focusTabId = id;
  placeDivider(state, tab);
  tab.unread = 0;
  tab.mentions = 0;
  dropInvite(state, id);
}

/**
 * Coming to a chat with unread messages: its "new messages" line goes after what had been read
 * (what was last in view here, else the server's cursor; never read: before the first).
 */
export function placeDivider(state, tab) {
  const listed = state.chats[tab.id] ?? state.direct[tab.id];
  if (tab.unread > 0 || listed?.unread > 0) tab.divider = tab.seenUpTo ?? listed?.readUpTo ?? '';
}

/** Opens a tab for a chat unless one is open; `focus` makes it the visible one. */
export function openTab(state, id, name, focus) {
  let tab = findTab(state, id);
  if (!tab) {
    // history: 'idle' until its newest page is asked for ('joining' while our join is on its
    // way: only members may read), then 'loading', 'loaded' or 'failed'.
    // divider: the id read up to when the reader came to unread messages (the "new messages"
    // line goes after it), or null.
    tab = {
      id,
      name,
      isPrivate: isPrivateChatId(id),
      messages: [],
      unread: 0,
      mentions: 0, // of the unread, those that mention us
      divider: null,
      seenUpTo: null, // the newest id shown to the reader here
      history: 'idle',
      hasOlder: false,
      loadingOlder: false,
    };
    state.tabs.push(tab);
    tab = state.tabs[state.tabs.length - 1]; // the reactive one
  }
  if (focus || state.activeId === null) activateTab(state, id, focus);
  return tab;
}

/** Closes a tab; when it was the visible one, its neighbour becomes visible. */
export function closeTab(state, id) {
  const index = state.tabs.findIndex((t) => t.id === id);
  if (index < 0) return;
  state.tabs.splice(index, 1);
  dropInvite(state, id);
  if (state.activeId === id) {
    const next = state.tabs[Math.min(index, state.tabs.length - 1)];
    state.activeId = null;
    if (next) activateTab(state, next.id);
  }
}

/** Whether a tab is out of sight (another tab shows, or the page is hidden). */
function unseen(state, chatId) {
  return state.activeId !== chatId || document.hidden;
}

/**
 * Adds a notice to a chat's tab (none open: dropped): `{kind: 'notice', text}` (a join or leave)
 * or `{kind: 'chat', fromUserId, name, own, text}` (a member's direct publish, with the relay).
 * Notices never count as unread.
 */
export function addMessage(state, chatId, message) {
  const tab = findTab(state, chatId);
  if (!tab) return;
  tab.messages.push({ ...message, key: newKey(), id: null, after: floorId(Date.now()), time: new Date() });
  trim(tab.messages);
  if (message.kind !== 'notice' && unseen(state, chatId)) tab.unread += 1;
}

/** Remembers the name of a user (what mentions and owners are shown as, online or not). */
export function learnName(state, userId, name) {
  if (typeof userId === 'string' && typeof name === 'string' && name !== '' && state.names[userId] !== name) {
    state.names[userId] = name;
  }
}

/** Whether a message mentions us: by id, and with our @name in its text (ids alone are not
 * shown, so they do not count). */
export function mentionsMe(state, entry) {
  const me = state.me.userId;
  return entry.mentions.includes(me) && mentionAt(entry.text, nameOf(state, me, entry.chatId)) >= 0;
}

/** Someone else's new message out of sight: it counts as unread (and as a mention of us). */
export function countUnread(state, tab, entry) {
  if (entry.own || entry.deleted || entry.editedAt || !unseen(state, entry.chatId)) return;
  tab.unread += 1;
  if (mentionsMe(state, entry)) tab.mentions += 1;
}

/** Merges a stored message into its tab (none open: dropped); someone else's new one counts as
 * unread while out of sight. Returns what `merge` says, or null without a tab. */
export function receive(state, entry) {
  if (!entry.deleted) learnName(state, entry.fromUserId, entry.name);
  const tab = findTab(state, entry.chatId);
  if (!tab) {
    // A chat of ours with no tab open: its count in the list goes up.
    const listed = state.chats[entry.chatId] ?? state.direct[entry.chatId];
    if (listed && !entry.own && !entry.deleted && !entry.editedAt) {
      listed.unread = (listed.unread ?? 0) + 1;
      if (mentionsMe(state, entry)) listed.mentions = (listed.mentions ?? 0) + 1;
    }
    return null;
  }
  // An edit or delete of a message older than those loaded: scrolling up shows it as it is.
  const oldest = oldestId(tab.messages);
  if ((entry.editedAt || entry.deleted) && oldest !== null && entry.id < oldest) return 'same';
  const result = merge(tab.messages, entry);
  // The oldest may have been pushed out: scrolling up reads them again.
  if (tab.messages.length >= MAX_ENTRIES) tab.hasOlder = true;
  if (result === 'new') countUnread(state, tab, entry);
  return result;
}

/** Shows a short message; `kind` is info, success, warning or danger. */
export function toast(state, kind, text, timeoutMs = kind === 'danger' ? 8000 : 4500) {
  const key = newKey();
  state.toasts.push({ key, kind, text });
  if (state.toasts.length > 4) state.toasts.splice(0, state.toasts.length - 4);
  setTimeout(() => dismissToast(state, key), timeoutMs);
}

export function dismissToast(state, key) {
  state.toasts = state.toasts.filter((t) => t.key !== key);
}

/** The name to show for a user id: the user list first, then names seen, then the chat's
 * member list. */
export function nameOf(state, userId, chatId) {
  if (userId === state.me.userId) return state.users[userId]?.userName ?? state.me.userDetails;
  return state.users[userId]?.userName ?? state.names[userId] ?? state.chats[chatId]?.members?.[userId]?.userName ?? 'Someone who has left';
}
