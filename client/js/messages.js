// A chat's messages as the client keeps them: entries merged by the server's id (history pages,
// live deliveries, edits and deletes in any order, each id once), our own pending ones matched
// to their stored copy by `clientId`, notices where they arrived. Pure, no DOM, no imports: the
// Node tests load this file as it is.

/** Entries a tab keeps (the oldest go; scrolling up loads them again). */
export const MAX_ENTRIES = 1000;
/** A catch-up re-reads from this long before the newest message seen. */
export const CATCH_UP_OVERLAP_MS = 30_000;

let nextKey = 1;
export const newKey = () => nextKey++;

/**
 * A stored message's payload (`{id, chatId, message, fromUserId, fromUserName, time, clientId?,
 * mentions?, editedAt?}` or a tombstone `{id, chatId, deleted: true, time}`) as an entry, or
 * null when it is not one.
 */
export function entryOf(payload, myId) {
  if (!payload || typeof payload !== 'object' || typeof payload.id !== 'string' || typeof payload.chatId !== 'string') {
    return null;
  }
  const time = new Date(payload.time);
  const deleted = payload.deleted === true;
  if (!deleted && (typeof payload.message !== 'string' || typeof payload.fromUserId !== 'string')) return null;
  return {
    kind: 'message',
    id: payload.id,
    chatId: payload.chatId,
    clientId: typeof payload.clientId === 'string' ? payload.clientId : null,
    fromUserId: deleted ? null : payload.fromUserId,
    name: deleted ? '' : String(payload.fromUserName ?? payload.fromUserId),
    own: !deleted && payload.fromUserId === myId,
    text: deleted ? '' : payload.message,
    mentions: Array.isArray(payload.mentions) ? payload.mentions.filter((m) => typeof m === 'string') : [],
    time: Number.isNaN(time.getTime()) ? new Date() : time,
    editedAt: typeof payload.editedAt === 'string' ? new Date(payload.editedAt) : null,
    deleted,
    status: 'sent',
    error: null,
  };
}

/** One of our messages on its way: shown at once, confirmed by its stored copy. */
export function pendingEntry(chatId, text, clientId, me, mentions = []) {
  return {
    kind: 'message',
    key: newKey(),
    id: null,
    chatId,
    clientId,
    fromUserId: me.userId,
    name: me.userDetails,
    own: true,
    text,
    mentions,
    time: new Date(),
    editedAt: null,
    deleted: false,
    status: 'pending',
    error: null,
  };
}

/**
 * Where an entry sorts: a stored message by its id; a notice or a direct publish by the instant
 * it arrived (`after`, an id-shaped key: messages stamped later sort after it); our own
 * unconfirmed ones last ('~' sorts after every id).
 */
function sortKey(entry) {
  return entry.id ?? entry.after ?? '~';
}

/** Where an entry with key `key` goes: after the last entry whose key is not greater. */
function insertionIndex(list, key) {
  for (let i = list.length - 1; i >= 0; i -= 1) {
    if (sortKey(list[i]) <= key) return i + 1;
  }
  return 0;
}

/**
 * Merges a stored entry into `list` (in place). A known id is updated (an edit, a delete, or
 * the same message again); our pending entry with the same `clientId` becomes it. Returns
 * `'new'` for an entry not seen before, `'changed'` or `'same'` otherwise.
 */
export function merge(list, entry) {
  const byId = list.findIndex((e) => e.id === entry.id);
  if (byId >= 0) {
    const known = list[byId];
    const changed = known.deleted !== entry.deleted || known.text !== entry.text || String(known.editedAt) !== String(entry.editedAt);
    // A late copy never undoes a delete, or an edit newer than its own.
    if (known.deleted && !entry.deleted) return 'same';
    if (known.editedAt && !entry.deleted && !(entry.editedAt && entry.editedAt > known.editedAt)) return 'same';
    if (changed) Object.assign(known, { text: entry.text, deleted: entry.deleted, editedAt: entry.editedAt, mentions: entry.mentions });
    if (entry.deleted) known.fromUserId = known.fromUserId ?? null;
    return changed ? 'changed' : 'same';
  }
  if (entry.clientId) {
    const mine = list.findIndex((e) => e.id === null && e.clientId === entry.clientId);
    if (mine >= 0) {
      const [pending] = list.splice(mine, 1);
      list.splice(insertionIndex(list, entry.id), 0, { ...entry, key: pending.key });
      return 'changed';
    }
  }
  const at = insertionIndex(list, entry.id);
  list.splice(at, 0, { ...entry, key: newKey() });
  // Live messages push the oldest out; a page of older ones (read as the reader scrolls up)
  // never trims itself away.
  if (!list.slice(at + 1).some((e) => e.id)) trim(list);
  return 'new';
}

/** Keeps the newest `MAX_ENTRIES` entries. */
export function trim(list) {
  if (list.length > MAX_ENTRIES) list.splice(0, list.length - MAX_ENTRIES);
}

/** Our entry with `clientId`, if it is still pending or failed. */
export function unconfirmed(list, clientId) {
  return list.find((e) => e.id === null && e.clientId === clientId) ?? null;
}

/** The newest stored id in `list`, or null. */
export function newestId(list) {
  for (let i = list.length - 1; i >= 0; i -= 1) if (list[i].id) return list[i].id;
  return null;
}

/** The oldest stored id in `list`, or null. */
export function oldestId(list) {
  return list.find((e) => e.id)?.id ?? null;
}

/** The milliseconds in a message id (a UUIDv7's first 48 bits). */
export function idMillis(id) {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The smallest id stamped at `ms`: `after` it are all messages stamped then or later. */
export function floorId(ms) {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** Where a catch-up starts reading: `CATCH_UP_OVERLAP_MS` before `newest` (the newest message
 * seen, by default the newest in `list`). */
export function catchUpFrom(list, newest = newestId(list)) {
  return newest === null ? null : floorId(idMillis(newest) - CATCH_UP_OVERLAP_MS);
}

/** Whether two dates fall on different calendar days (local time): a day separator goes between. */
export function isNewDay(previous, next) {
  return !previous || previous.toDateString() !== next.toDateString();
}
