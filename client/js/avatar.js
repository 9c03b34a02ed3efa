// A person's avatar, drawn from what chatr knows and nothing fetched: their initials on a
// colour that their user id picks (the same on every screen). Pure, no imports.

/** Dark enough for white initials (4.5:1 or better on each). */
export const COLOURS = ['#4338ca', '#0f766e', '#b91c1c', '#7e22ce', '#1d4ed8', '#15803d', '#92400e', '#be185d'];

/** One or two letters from a name: the first of its first two words. */
export function initials(name) {
  const words = String(name ?? '')
    .split(/[\s@._-]+/u)
    .filter((w) => /\p{L}|\p{N}/u.test(w));
  const letters = words.slice(0, 2).map((w) => Array.from(w.replace(/^[^\p{L}\p{N}]+/u, ''))[0] ?? '');
  return letters.join('').toLocaleUpperCase() || '?';
}

/** The colour of a user id (a stable hash of it). */
export function colourOf(userId) {
  let hash = 0;
  for (const ch of String(userId ?? '')) hash = (Math.imul(hash, 31) + ch.codePointAt(0)) >>> 0;
  return COLOURS[hash % COLOURS.length];
}
