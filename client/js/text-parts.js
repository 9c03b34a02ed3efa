// A message's text cut into parts to show: plain text, links (http and https only, everything
// else stays text) and mentions (`@name` of a user the message mentions by id). The parts are
// shown as text nodes and anchors, never as HTML. Pure, no DOM, no imports: the Node tests
// load this file as it is.

/** A run that may be a link: up to white space or a character never left unescaped in one. */
const CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Characters that end a sentence rather than a link when they come last. */
const TRAILING = /[.,;:!?'’”)\]}*_]+$/;

/** `url` without the punctuation that follows it in prose; a ')' stays when it closes one. */
function trimmed(url) {
  let end = url.replace(TRAILING, '');
  const rest = url.slice(end.length);
  // "(see https://x.org/a_(b))": the first ')' closes the link's own '('.
  const open = (end.match(/\(/g) ?? []).length - (end.match(/\)/g) ?? []).length;
  if (open > 0 && rest.startsWith(')')) end += ')';
  return end;
}

/** The `href` for a run, or null when it is not an http(s) URL a browser would parse. */
function hrefOf(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A character that would make `@name` part of a longer word (`@ann` inside `@anna`). */
const WORD = /[\p{L}\p{N}\p{M}_]/u;

/** Where `@name` stands as a whole word in `text` from `from` on, or -1. */
export function mentionAt(text, name, from = 0) {
  const needle = `@${name}`;
  for (let at = text.indexOf(needle, from); at >= 0; at = text.indexOf(needle, at + 1)) {
    const next = text.slice(at + needle.length).match(/^./su)?.[0];
    if (!next || !WORD.test(next)) return at;
  }
  return -1;
}

/** Splits `text` into `{kind: 'text', text}` and `{kind: 'link', text, href}` parts. */
export function linkParts(text) {
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const url = trimmed(match[0]);
    const href = hrefOf(url);
    if (!href) continue;
    if (match.index > at) parts.push({ kind: 'text', text: text.slice(at, match.index) });
    parts.push({ kind: 'link', text: url, href });
    at = match.index + url.length;
  }
  if (at < text.length) parts.push({ kind: 'text', text: text.slice(at) });
  return parts;
}

/**
 * Splits the text parts further at each `@name` of `mentioned` (`[{userId, name}]`, the users
 * the message mentions by id), as a whole word: `{kind: 'mention', text, userId}`. A longer
 * name is tried before a shorter one that begins it.
 */
export function mentionParts(parts, mentioned) {
  const names = [...mentioned].filter((m) => m.name).sort((a, b) => b.name.length - a.name.length);
  if (names.length === 0) return parts;
  const out = [];
  for (const part of parts) {
    if (part.kind !== 'text') {
      out.push(part);
      continue;
    }
    let rest = part.text;
    while (rest !== '') {
      let best = null;
      for (const m of names) {
        const index = mentionAt(rest, m.name);
        if (index >= 0 && (best === null || index < best.index)) best = { index, m };
      }
      if (best === null) {
        out.push({ kind: 'text', text: rest });
        break;
      }
      if (best.index > 0) out.push({ kind: 'text', text: rest.slice(0, best.index) });
      const text = `@${best.m.name}`;
      out.push({ kind: 'mention', text, userId: best.m.userId });
      rest = rest.slice(best.index + text.length);
    }
  }
  return out;
}

/** A message's parts: links, then mentions in the text between them. */
export function textParts(text, mentioned = []) {
  return mentionParts(linkParts(text), mentioned);
}
