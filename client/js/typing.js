// Who is typing in a chat, as the line under it says: each `typing` event shows its sender for
// `TYPING_SHOWN_MS` (or until their message comes). Pure, no imports: the Node tests load it.

/** How long "… is typing" shows after a `typing` event. */
export const TYPING_SHOWN_MS = 5000;

/** `typing` (userId -> {name, until}) with `userId` typing from `now`, those whose time is up
 * gone (so that the map holds only who is typing). */
export function withTyper(typing, userId, name, now) {
  const still = Object.entries(typing ?? {}).filter(([, t]) => t.until > now);
  return { ...Object.fromEntries(still), [userId]: { name, until: now + TYPING_SHOWN_MS } };
}

/** The names of those typing at `now`, in order. */
export function typersAt(typing, now) {
  return Object.values(typing ?? {})
    .filter((t) => t.until > now)
    .map((t) => t.name)
    .sort((a, b) => a.localeCompare(b));
}

/** "ann is typing…", "ann and bob are typing…", "Several people are typing…", or ''. */
export function typingLine(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}
