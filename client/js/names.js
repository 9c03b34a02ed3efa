// Telling apart people and chats that share a name: the list shows each name in full (on
// hover too), and where two share one, a detail after it: a person's sign-in provider, or a
// short id when that is the same too; a chat's owner, or a short id. Pure, no imports.

const PROVIDERS = { github: 'GitHub', aad: 'Microsoft' };

/** A provider's name as people know it. */
export function providerLabel(provider) {
  return PROVIDERS[provider] ?? provider ?? '';
}

/** A short, stable piece of an id. */
export function shortId(id) {
  return `#${String(id).slice(0, 6)}`;
}

/** Groups `items` by `key(item)`: those whose key is shared by another. */
function shared(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return (item) => counts.get(key(item)) > 1;
}

/**
 * For people `[{id, userName, userProvider}]`: id -> the detail to show after the name ('' when
 * the name is theirs alone).
 */
export function peopleDetails(people) {
  const sameName = shared(people, (p) => p.userName.toLocaleLowerCase());
  const sameBoth = shared(people, (p) => `${p.userName.toLocaleLowerCase()}\n${p.userProvider}`);
  const details = {};
  for (const p of people) {
    if (!sameName(p)) details[p.id] = '';
    else if (!sameBoth(p)) details[p.id] = providerLabel(p.userProvider);
    else details[p.id] = `${providerLabel(p.userProvider)} ${shortId(p.id)}`.trim();
  }
  return details;
}

/**
 * For our private chats (`direct`: chatId -> {with, withName}), told apart by the other
 * person: chatId -> the detail to show after their name. `users` (online now) give providers.
 */
export function directDetails(direct, users) {
  const chats = Object.values(direct);
  const byUser = peopleDetails(chats.map((d) => ({ id: d.with, userName: d.withName, userProvider: users[d.with]?.userProvider ?? '' })));
  return Object.fromEntries(chats.map((d) => [d.id, byUser[d.with]]));
}

/**
 * For chats `[{id, name, owner}]`: id -> the detail to show after the name. `ownerName(id)` is
 * the owner's name when known.
 */
export function chatDetails(chats, ownerName) {
  const sameName = shared(chats, (c) => c.name.toLocaleLowerCase());
  const sameOwner = shared(chats, (c) => `${c.name.toLocaleLowerCase()}\n${ownerName(c.owner) ?? c.owner}`);
  const details = {};
  for (const c of chats) {
    const owner = ownerName(c.owner);
    if (!sameName(c)) details[c.id] = '';
    else if (owner && !sameOwner(c)) details[c.id] = `by ${owner}`;
    else details[c.id] = shortId(c.id);
  }
  return details;
}
