// Names of people the page has not met (mentioned in a message, offline, never written in the
// chat): asked of the server by id, a few at a time, each id once per page (again after a
// failure), and kept in the state's names (where the components look).

import { fetchUsersByIds } from './api.js';
import { learnName } from './state.js';

/** Ids gathered before one request goes. */
const GATHER_MS = 100;
/** Most ids one request asks for (the server's bound). */
const MAX_IDS = 50;

export function createNameLookup(state) {
  const asked = new Set();
  const pending = [];
  let scheduled = false;

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(ask, GATHER_MS);
  }

  async function ask() {
    scheduled = false;
    const batch = pending.splice(0, MAX_IDS);
    if (pending.length > 0) schedule();
    try {
      for (const u of await fetchUsersByIds(batch)) learnName(state, u.userId, u.userName);
    } catch {
      // Not named this time (asked again when next wanted): "Someone who has left" meanwhile.
      for (const id of batch) asked.delete(id);
    }
  }

  /** Asks for the name of `userId` unless it is known or was asked for already. */
  return function want(userId) {
    if (typeof userId !== 'string' || asked.has(userId) || state.users[userId] || state.names[userId]) return;
    asked.add(userId);
    pending.push(userId);
    schedule();
  };
}
