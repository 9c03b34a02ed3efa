// Frames on their way, matched with the service's acks. A chat message goes with an `ackId`,
// and the ack says whether the service took it; one it refused, or one still unanswered when
// the socket drops, is handed to `report(message, why)` so the chat can say it was not
// delivered.

/** Why a message was not delivered, by the service's error name. */
const WHY = {
  Forbidden: 'you are not in this chat right now',
  ConnectionLost: 'the connection dropped before it was confirmed',
};

export function createDeliveries(report) {
  const pending = new Map();
  let nextAckId = 1;
  const fail = (message, error) => report(message, WHY[error] ?? 'the service could not take it');
  return {
    /** Registers a message about to be sent; returns its ack id. */
    track(chatId, text) {
      const ackId = nextAckId++;
      pending.set(ackId, { chatId, text });
      return ackId;
    },
    /** Forgets a message that could not even be sent. */
    forget(ackId) {
      pending.delete(ackId);
    },
    /** Settles a frame with the service's ack (a `Duplicate` was taken before). */
    settle({ ackId, success, error }) {
      const message = pending.get(ackId);
      if (!message) return;
      pending.delete(ackId);
      if (!success && error !== 'Duplicate') fail(message, error);
    },
    /** The socket dropped: whatever is unanswered may be lost. */
    dropAll() {
      for (const message of pending.values()) fail(message, 'ConnectionLost');
      pending.clear();
    },
  };
}
