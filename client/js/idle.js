// Idle detection: no mouse, key, touch, wheel or scroll input for `timeoutMs` makes the user
// idle; the next input makes them active again. Time with the page hidden counts towards idle
// (the check compares timestamps, so throttled timers in a background tab do not stop it), and
// coming back to the page is activity.

const INPUT_EVENTS = ['mousemove', 'mousedown', 'keydown', 'touchstart', 'pointerdown', 'wheel', 'scroll'];

/**
 * Starts watching; calls `onIdle()` once when the user goes idle and `onActive()` once when
 * they come back. Returns `{ isIdle(), stop() }`.
 */
export function watchIdle({ timeoutMs, onIdle, onActive, win = window, doc = document, now = Date.now }) {
  let last = now();
  let idle = false;

  const activity = () => {
    last = now();
    if (idle) {
      idle = false;
      onActive();
    }
  };
  const visibility = () => {
    if (doc.visibilityState === 'visible') activity();
  };
  const check = () => {
    if (!idle && now() - last >= timeoutMs) {
      idle = true;
      onIdle();
    }
  };

  const options = { capture: true, passive: true };
  for (const name of INPUT_EVENTS) win.addEventListener(name, activity, options);
  doc.addEventListener('visibilitychange', visibility);
  const timer = setInterval(check, Math.min(1000, Math.max(100, timeoutMs / 4)));

  return {
    isIdle: () => idle,
    stop() {
      clearInterval(timer);
      for (const name of INPUT_EVENTS) win.removeEventListener(name, activity, options);
      doc.removeEventListener('visibilitychange', visibility);
    },
  };
}
