// A chat's history, read from the server a page at a time: the newest page when a tab opens,
// the page before when the reader scrolls to the top, and after a reconnect the newest page
// plus everything since shortly before the newest message seen, so that nothing sent, edited or
// deleted while we were away is missed (merged by id: nothing shows twice).

import { fetchMessages } from './api.js';
import { catchUpFrom, entryOf, merge, newestId, oldestId } from './messages.js';

/** Messages per page. */
export const PAGE = 50;
/** Most pages one catch-up reads (the rest shows as "load earlier" from the newest page). */
const MAX_CATCH_UP_PAGES = 20;

/**
 * `onEntry(tab, entry, news)` hears of every entry merged; `news` is true for one a catch-up
 * found newer than anything the tab had (sent while we were away: unread, and maybe a mention).
 */
export function createHistory({ me, onError, onEntry }) {
  /** Merges a page's payloads into a tab; `newerThan`: the id past which an entry is news. */
  function apply(tab, payloads, newerThan = null) {
    for (const payload of payloads) {
      const entry = entryOf(payload, me.userId);
      if (!entry || entry.chatId !== tab.id) continue;
      const result = merge(tab.messages, entry);
      onEntry(tab, entry, result === 'new' && newerThan !== null && entry.id > newerThan);
    }
  }

  /** The newest page; returns whether older pages exist. */
  async function newest(tab) {
    const { messages, next } = await fetchMessages(tab.id, { limit: PAGE });
    apply(tab, messages);
    return next !== null;
  }

  return {
    /** Loads the newest page of a tab that has none yet (or whose last try failed). */
    async open(tab) {
      if (tab.history === 'joining' || tab.history === 'loading' || tab.history === 'loaded') return;
      tab.history = 'loading';
      try {
        tab.hasOlder = await newest(tab);
        tab.history = 'loaded';
      } catch (error) {
        tab.history = 'failed';
        onError(error);
      }
    },

    /** Loads the page before the oldest message shown. */
    async older(tab) {
      const before = oldestId(tab.messages);
      if (!tab.hasOlder || tab.loadingOlder || before === null) return;
      tab.loadingOlder = true;
      try {
        const { messages, next } = await fetchMessages(tab.id, { limit: PAGE, before });
        apply(tab, messages);
        tab.hasOlder = next !== null;
      } catch (error) {
        onError(error);
      } finally {
        tab.loadingOlder = false;
      }
    },

    /** After a reconnect: the newest page, then everything since `CATCH_UP_OVERLAP_MS` before the
     * newest message this tab had when the connection dropped (`tab.newestAtDrop`: what came
     * live on the new socket before the catch-up must not move its start). */
    async catchUp(tab) {
      if (tab.history !== 'loaded') return this.open(tab);
      const had = tab.newestAtDrop ?? newestId(tab.messages) ?? '';
      let after = catchUpFrom(tab.messages, had === '' ? null : had);
      try {
        const { messages } = await fetchMessages(tab.id, { limit: PAGE });
        apply(tab, messages, had);
        for (let page = 0; after !== null && page < MAX_CATCH_UP_PAGES; page += 1) {
          const { messages, next } = await fetchMessages(tab.id, { limit: 200, after });
          apply(tab, messages, had);
          after = next;
        }
        tab.newestAtDrop = undefined;
      } catch (error) {
        onError(error);
      }
    },
  };
}
