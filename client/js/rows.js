// What a chat's log shows, row by row, from its entries: a line before each new day, runs of
// notices (joins and leaves) folded into one compact row, consecutive messages of one sender
// grouped under one header, and a "new messages" line at the reader's cursor. Pure, no DOM, no
// imports: the Node tests load this file as it is.

/** Messages of one sender closer together than this share a header. */
export const GROUP_GAP_MS = 5 * 60_000;
/** Names a folded run of notices spells out before "and N others". */
const NAMES_SHOWN = 3;

const JOINED = /^(?:\p{Extended_Pictographic}\uFE0F?\s)?(.+) has joined the chat$/u;
const LEFT = /^(?:\p{Extended_Pictographic}\uFE0F?\s)?(.+) has left the chat$/u;

/** "a", "a and b", "a, b and c", "a, b, c and 2 others". */
function names(list) {
  if (list.length <= NAMES_SHOWN) {
    return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
  }
  const others = list.length - NAMES_SHOWN;
  return `${list.slice(0, NAMES_SHOWN).join(', ')} and ${others} ${others === 1 ? 'other' : 'others'}`;
}

/**
 * One line for a run of notice texts: a single one as it is; several as who joined and who
 * left ("ann and bob joined · cy left"), anything else counted ("and 2 more updates").
 */
export function summarize(texts) {
  if (texts.length === 1) return texts[0];
  const joined = [];
  const left = [];
  let other = 0;
  for (const text of texts) {
    const join = JOINED.exec(text);
    const leave = join ? null : LEFT.exec(text);
    if (join) joined.push(join[1]);
    else if (leave) left.push(leave[1]);
    else other += 1;
  }
  const parts = [];
  if (joined.length) parts.push(`${names([...new Set(joined)])} joined`);
  if (left.length) parts.push(`${names([...new Set(left)])} left`);
  if (other) parts.push(`${other} more ${other === 1 ? 'update' : 'updates'}`);
  return parts.join(' · ');
}

/** Whether `entry` continues the group of `previous` (same sender, close in time, same day). */
function continues(previous, entry) {
  return (
    previous?.kind === 'message' &&
    entry.kind === 'message' &&
    !previous.deleted &&
    !entry.deleted &&
    previous.fromUserId === entry.fromUserId &&
    previous.own === entry.own &&
    entry.time - previous.time < GROUP_GAP_MS &&
    previous.time.toDateString() === entry.time.toDateString()
  );
}

/**
 * The rows of a log. `entries` are in order (messages.js); `readUpTo` is the id the reader had
 * read up to when they came to the chat (null: no line). Rows:
 * - `{kind: 'day', key, date}` before the first entry of each day;
 * - `{kind: 'notices', key, items, summary}` for a run of notices;
 * - `{kind: 'unread', key}` before the first message of someone else after `readUpTo`;
 * - `{kind: 'entry', key, entry, first}`: a message (or a member's direct publish), `first`
 *   where a new sender's group starts. The entry itself, not a copy: a new row list leaves the
 *   message components that show the old entries as they are.
 */
export function rowsOf(entries, readUpTo = null) {
  const rows = [];
  let day = null;
  let previous = null;
  let divided = readUpTo === null;
  for (const entry of entries) {
    if (!day || day.toDateString() !== entry.time.toDateString()) {
      rows.push({ kind: 'day', key: `day-${entry.key}`, date: entry.time });
      day = entry.time;
      previous = null;
    }
    if (entry.kind === 'notice') {
      const last = rows[rows.length - 1];
      if (last?.kind === 'notices') {
        last.items.push(entry);
        last.summary = summarize(last.items.map((n) => n.text));
      } else {
        rows.push({ kind: 'notices', key: `notices-${entry.key}`, items: [entry], summary: entry.text });
      }
      previous = entry;
      continue;
    }
    if (!divided && entry.id !== null && entry.id > readUpTo && !entry.own && !entry.deleted) {
      rows.push({ kind: 'unread', key: 'unread' });
      divided = true;
      previous = null;
    }
    rows.push({ kind: 'entry', key: entry.key, entry, first: !continues(previous, entry) });
    previous = entry;
  }
  return rows;
}
