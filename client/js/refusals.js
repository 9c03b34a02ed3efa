// Turns the server's `actionRefused` ({action, reason, message}) into a sentence for a person.
// Pure, no DOM.

const ACTIONS = {
  userConnected: "Couldn't put you online",
  createChat: "Couldn't create the chat",
  joinChat: "Couldn't join the chat",
  leaveChat: "Couldn't leave the chat",
  deleteChat: "Couldn't delete the chat",
  createPrivateChat: "Couldn't start the private chat",
  userEnterIdle: "Couldn't update your status",
  userExitIdle: "Couldn't update your status",
  sendMessage: 'Not sent',
  editMessage: "Couldn't edit the message",
  deleteMessage: "Couldn't delete the message",
};

const REASONS = {
  invalidPayload: 'the app sent something the server did not understand. Reloading the page should fix it.',
  unknownEvent: 'the server does not know that request. Reloading the page should fix it.',
  invalidName: 'a name needs 1 to 64 characters, without line breaks or other control characters.',
  invalidId: 'that id is not valid.',
  chatNotFound: 'that chat does not exist any more.',
  chatExists: 'a chat with that id exists already. Please try again.',
  notOwner: 'only the person who created a chat can delete it.',
  notMember: 'you are not in that chat. Join it first.',
  unknownUser: 'nobody by that id has signed in to chatr.',
  chatFull: 'that chat is full.',
  tooManyChats: 'that would put someone in more chats than one person may be in. Leaving a chat makes room.',
  identityMismatch: 'this connection belongs to another account. Reload the page.',
  notSignedIn: 'you are not signed in. Please sign in again.',
  emptyMessage: 'a message needs some text.',
  messageTooLong: 'a message holds at most 4,000 characters.',
  notAuthor: 'only its author (or the chat’s owner, to delete) may do that.',
  messageNotFound: 'that message does not exist any more.',
  rateLimited: 'you are sending too fast. Wait a moment, then try again.',
};

/** "Couldn't delete the chat: only the person who created a chat can delete it." */
export function describeRefusal(refusal) {
  const action = ACTIONS[refusal?.action] ?? 'The server refused that';
  let reason = REASONS[refusal?.reason] ?? 'something went wrong. Please try again.';
  if (refusal?.reason === 'rateLimited' && Number.isFinite(refusal.retryAfterMs)) {
    reason = `you are sending too fast. Try again in ${Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))} s.`;
  }
  return `${action}: ${reason}`;
}
