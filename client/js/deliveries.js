// Frames on their way, matched with the service's acks. A chat message goes with an `ackId`,
// and the ack says whether the service took it; one it refused, or one still unanswered when
// the socket drops, is handed to `report(message, why)` so the chat can say it was not
// delivered. A marker is an ack id to wait for: user events are handled in order, so the ack
// of the last one sent means the handler has answered all of them.

/** Why a message was not delivered, by the service's error name. */
const WHY = {
  Forbidden: 'you are not in this chat right now',
  ConnectionLost: 'the connection dropped before it was confirmed',
};

export function createDeliveries(report) {
  const pending = new Map();
  const markers = new Map();
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
    /** An ack id and a promise that resolves when it is acked (true) or the socket drops (false). */
    marker() {
      const ackId = nextAckId++;
      const done = new Promise((resolve) => markers.set(ackId, resolve));
      return { ackId, done };
    },
    /** Settles a frame with the service's ack (a `Duplicate` was taken before). */
    settle({ ackId, success, error }) {
      markers.get(ackId)?.(true);
      markers.delete(ackId);
      const message = pending.get(ackId);
      if (!message) return;
      pending.delete(ackId);
      if (!success && error !== 'Duplicate') fail(message, error);
    },
    /** The socket dropped: whatever is unanswered may be lost. */
    dropAll() {
      for (const message of pending.values()) fail(message, 'ConnectionLost');
      pending.clear();
      for (const resolve of markers.values()) resolve(false);
      markers.clear();
    },
  };
}
