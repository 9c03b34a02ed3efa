// Settings read once from the page's query string. `?idleSeconds=N` (1 to 3600) shortens or
// lengthens the idle timeout for this page only; anything else keeps the default of 60 s.

export const DEFAULT_IDLE_SECONDS = 60;

export function readSettings(search) {
  const idle = Number(new URLSearchParams(search).get('idleSeconds'));
  return {
    idleSeconds: Number.isFinite(idle) && idle >= 1 && idle <= 3600 ? idle : DEFAULT_IDLE_SECONDS,
  };
}
