// Every frame a WebSocket receives, kept from the moment it is created, so that a test waiting
// for one frame after another misses none: `ws` emits every frame of one network read in the
// same tick, before an `await` can attach the next listener.

/**
 * Watches `socket` (a `ws` WebSocket). `next(test, what)` resolves with the first frame not yet
 * taken that passes `test`, taking it and every frame before it (frames are read in order, as a
 * client reads them: wait for one thing at a time); it rejects after `timeoutMs`, naming `what`
 * it waited for. A frame that is not JSON is kept as `{ text }`.
 */
export function inbox(socket, timeoutMs = 10_000) {
  const frames = [];
  const waiters = new Set();
  socket.on('message', (data) => {
    const text = data.toString();
    try {
      frames.push(JSON.parse(text));
    } catch {
      frames.push({ text });
    }
    for (const waiter of [...waiters]) waiter();
  });
  const take = (test) => {
    const index = frames.findIndex(test);
    return index < 0 ? undefined : frames.splice(0, index + 1).pop();
  };
  return {
    next(test, what = 'matching frame') {
      return new Promise((resolve, reject) => {
        const found = take(test);
        if (found !== undefined) return resolve(found);
        const waiter = () => {
          const frame = take(test);
          if (frame === undefined) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(frame);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
