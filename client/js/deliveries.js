// Frames on their way, matched with the service's acks. A chat message goes with an `ackId`,
// and the ack says whether the service took it (it comes after the handler's answer, the stored
// message); one it refused, or one still unanswered when the socket drops, is handed to
// `report(message, why, error)` so the chat can mark it failed (and send it again: the same
// `clientId` is never stored twice).

/** Why a message was not delivered, by the service's error name. */
const WHY = {
  Forbidden: 'the service refused it',
  ConnectionLost: 'the connection dropped before it was confirmed',
};

export function createDeliveries(report) {
  const pending = new Map();
  let nextAckId = 1;
  const fail = (message, error) => report(message, WHY[error] ?? 'the service could not take it', error);
  return {
    /** Registers a message about to be sent (`{chatId, clientId}`); returns its ack id. */
    track(message) {
      const ackId = nextAckId++;
      pending.set(ackId, message);
      return ackId;
    },
    /**
     * An ack id for any other frame, and a promise of its ack (`{success, error}`; a drop
     * settles it unsuccessful with `ConnectionLost`).
     */
    expect() {
      const ackId = nextAckId++;
      let resolve;
      const done = new Promise((r) => (resolve = r));
      pending.set(ackId, { waiter: resolve });
      return { ackId, done };
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
      if (message.waiter) message.waiter({ success: success || error === 'Duplicate', error });
      else if (!success && error !== 'Duplicate') fail(message, error);
    },
    /** The socket dropped: whatever is unanswered may be lost. */
    dropAll() {
      for (const message of pending.values()) {
        if (message.waiter) message.waiter({ success: false, error: 'ConnectionLost' });
        else fail(message, 'ConnectionLost');
      }
      pending.clear();
    },
  };
}
