// Unit tests of the client's pure conversation modules (no browser): how a log is laid out
// (rows.js), links and mentions in a text (text-parts.js), names told apart (names.js),
// avatars (avatar.js) and who is typing (typing.js), loaded straight from client/js/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from './harness.mjs';

/** Imports a client module that imports nothing itself. */
function clientModule(name) {
  const source = readFileSync(join(ROOT, 'client', 'js', name), 'utf8');
  return import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`);
}

const { rowsOf, summarize, GROUP_GAP_MS } = await clientModule('rows.js');
const { textParts, linkParts } = await clientModule('text-parts.js');
const { peopleDetails, chatDetails } = await clientModule('names.js');
const { initials, colourOf, COLOURS } = await clientModule('avatar.js');
const { withTyper, typersAt, typingLine, TYPING_SHOWN_MS } = await clientModule('typing.js');

const at = (minutes) => new Date(2026, 10, 27, 10, minutes);
let key = 0;
const message = (from, minutes, extra = {}) => ({
  kind: 'message',
  key: ++key,
  id: `0000-${String(minutes).padStart(4, '0')}-${key}`,
  fromUserId: from,
  own: from === 'me',
  deleted: false,
  time: at(minutes),
  ...extra,
});
const notice = (text) => ({ kind: 'notice', key: ++key, id: null, text, time: at(0) });

describe('the rows of a log', () => {
  test("one sender's messages close together share a header; another sender, a gap or a notice starts a new one", () => {
    const gap = GROUP_GAP_MS / 60_000;
    const rows = rowsOf([
      message('ann', 1),
      message('ann', 2),
      message('bob', 3),
      message('bob', 3 + gap),
      notice('💬 cy has joined the chat'),
      message('bob', 4 + gap),
      message('me', 5 + gap),
    ]);
    assert.deepEqual(
      rows.map((r) => (r.kind === 'entry' ? `${r.entry.fromUserId}${r.first ? '*' : ''}` : r.kind)),
      ['day', 'ann*', 'ann', 'bob*', 'bob*', 'notices', 'bob*', 'me*'],
    );
  });

  test('a run of notices folds into one line saying who joined and who left', () => {
    const rows = rowsOf(['💬 ann has joined the chat', '💬 bob has joined the chat', '💨 ann has left the chat'].map(notice));
    assert.deepEqual(
      rows.map((r) => r.kind),
      ['day', 'notices'],
      'under its day line',
    );
    assert.equal(rows[1].items.length, 3);
    assert.equal(rows[1].summary, 'ann and bob joined · ann left');
    assert.equal(summarize(['💬 ann has joined the chat']), '💬 ann has joined the chat', 'one notice reads as it is');
    const many = ['a', 'b', 'c', 'd', 'e'].map((n) => `💬 ${n} has joined the chat`);
    assert.equal(summarize([...many, 'something else']), 'a, b, c and 2 others joined · 1 more update');
  });

  test('the "new messages" line goes before the first message of someone else after the cursor', () => {
    const list = [message('ann', 1), message('me', 2), message('ann', 3), message('ann', 4)];
    const kinds = (rows) => rows.map((r) => (r.kind === 'entry' ? r.entry.fromUserId : r.kind));
    assert.deepEqual(kinds(rowsOf(list, list[0].id)), ['day', 'ann', 'me', 'unread', 'ann', 'ann']);
    assert.deepEqual(kinds(rowsOf(list, '')), ['day', 'unread', 'ann', 'me', 'ann', 'ann'], 'never read: before the first');
    assert.deepEqual(kinds(rowsOf(list, list[3].id)), ['day', 'ann', 'me', 'ann', 'ann'], 'all read: no line');
    assert.deepEqual(kinds(rowsOf(list)), ['day', 'ann', 'me', 'ann', 'ann'], 'no cursor: no line');
    const after = rowsOf(list, list[1].id);
    assert.equal(after[after.findIndex((r) => r.kind === 'unread') + 1].first, true, 'a header after the line');
    assert.equal(after[1].entry, list[0], 'rows hold the entries themselves, not copies');
  });
});

describe('links and mentions', () => {
  test('http and https links become links without the punctuation after them; nothing else does', () => {
    assert.deepEqual(linkParts('see https://example.org/a?b=1, then (http://x.org/y_(z)).'), [
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ', then (' },
      { kind: 'link', text: 'http://x.org/y_(z)', href: 'http://x.org/y_(z)' },
      { kind: 'text', text: ').' },
    ]);
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.org', 'http://', '<a href="https://x">']) {
      assert.ok(
        linkParts(text).every((p) => p.kind === 'text' || /^https?:\/\/[^"<>]+$/.test(p.href)),
        `${text}: no other link, no markup in a link`,
      );
    }
    assert.deepEqual(linkParts('javascript:alert(1)'), [{ kind: 'text', text: 'javascript:alert(1)' }]);
    const joined = (parts) => parts.map((p) => p.text).join('');
    const text = 'a https://x.org/é b <i>c</i> http://y.org.';
    assert.equal(joined(linkParts(text)), text, 'the text itself is untouched');
  });

  test('a mention is the @name of a user the message mentions by id, the longest name first', () => {
    const parts = textParts('hi @Bob Stone and @Bob, see https://x.org/@Bob', [
      { userId: 'u1', name: 'Bob' },
      { userId: 'u2', name: 'Bob Stone' },
    ]);
    assert.deepEqual(
      parts.map((p) => [p.kind, p.text, p.userId]),
      [
        ['text', 'hi ', undefined],
        ['mention', '@Bob Stone', 'u2'],
        ['text', ' and ', undefined],
        ['mention', '@Bob', 'u1'],
        ['text', ', see ', undefined],
        ['link', 'https://x.org/@Bob', undefined],
      ],
    );
    assert.deepEqual(textParts('@Eve is not mentioned', []), [{ kind: 'text', text: '@Eve is not mentioned' }]);
    assert.deepEqual(
      textParts('@anna is not @ann_x, but @ann. is', [{ userId: 'u3', name: 'ann' }]).map((p) => [p.kind, p.text]),
      [
        ['text', '@anna is not @ann_x, but '],
        ['mention', '@ann'],
        ['text', '. is'],
      ],
      'a whole word only',
    );
  });
});

describe('names told apart', () => {
  test('people with the same name by provider, then by a short id', () => {
    const details = peopleDetails([
      { id: 'aaa111', userName: 'bob', userProvider: 'github' },
      { id: 'bbb222', userName: 'Bob', userProvider: 'aad' },
      { id: 'ccc333', userName: 'bob', userProvider: 'aad' },
      { id: 'ddd444', userName: 'ann', userProvider: 'github' },
    ]);
    assert.deepEqual(details, { aaa111: 'GitHub', bbb222: 'Microsoft #bbb222', ccc333: 'Microsoft #ccc333', ddd444: '' });
  });

  test('chats with the same name by owner, then by a short id', () => {
    const owners = { u1: 'ann', u2: 'bob' };
    const details = chatDetails(
      [
        { id: 'c1', name: 'Hike', owner: 'u1' },
        { id: 'c2', name: 'hike', owner: 'u2' },
        { id: 'c3', name: 'Hike', owner: 'u2' },
        { id: 'c4', name: 'Hike', owner: 'u9' },
        { id: 'c5', name: 'Other', owner: 'u9' },
      ],
      (id) => owners[id] ?? null,
    );
    assert.deepEqual(details, { c1: 'by ann', c2: '#c2', c3: '#c3', c4: '#c4', c5: '' });
  });
});

describe('typing', () => {
  test('a typist shows for five seconds, those whose time is up go, and the line reads well', () => {
    let typing = withTyper({}, 'u1', 'ann', 1000);
    typing = withTyper(typing, 'u2', 'bob', 3000);
    assert.deepEqual(typersAt(typing, 5999), ['ann', 'bob']);
    assert.deepEqual(typersAt(typing, 1000 + TYPING_SHOWN_MS), ['bob'], 'ann after 5 s: gone');
    typing = withTyper(typing, 'u3', 'cy', 6500);
    assert.deepEqual(Object.keys(typing).sort(), ['u2', 'u3'], 'the map holds only who may still be typing');
    assert.equal(typingLine([]), '');
    assert.equal(typingLine(['ann']), 'ann is typing…');
    assert.equal(typingLine(['ann', 'bob']), 'ann and bob are typing…');
    assert.equal(typingLine(['ann', 'bob', 'cy']), 'Several people are typing…');
  });
});

describe('avatars', () => {
  test('initials from the first two words, and a colour that only the user id decides', () => {
    assert.equal(initials('ada lovelace'), 'AL');
    assert.equal(initials('bob@contoso.com'), 'BC');
    assert.equal(initials('Émile'), 'É');
    assert.equal(initials('🙂'), '?');
    assert.equal(initials(''), '?');
    assert.equal(colourOf('u1'), colourOf('u1'));
    assert.ok(COLOURS.includes(colourOf('someone')));
    assert.ok(new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(colourOf)).size > 2, 'ids spread over the colours');
  });
});
