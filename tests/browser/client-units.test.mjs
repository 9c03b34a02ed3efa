// Unit tests of the client's pure modules (no browser): the wire protocol, refusal
// sentences, settings and idle detection, loaded straight from client/js/. Also checks that
// client/vendor/ holds exactly the pinned npm packages' files.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, mock, test } from 'node:test';
import { ROOT } from './harness.mjs';

/** Imports a client module that imports nothing itself (the repo's .js files are not Node ESM). */
function clientModule(name) {
  const source = readFileSync(join(ROOT, 'client', 'js', name), 'utf8');
  return import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`);
}

const protocol = await clientModule('protocol.js');
const { describeRefusal } = await clientModule('refusals.js');
const { readSettings } = await clientModule('settings.js');
const { watchIdle } = await clientModule('idle.js');
const { createDeliveries } = await clientModule('deliveries.js');
const messages = await clientModule('messages.js');

const server = (chatEvent, data) => JSON.stringify({ type: 'message', from: 'server', dataType: 'json', data: { chatEvent, data } });
const group = (frame) => JSON.stringify({ type: 'message', from: 'group', group: 'g1', dataType: 'json', ...frame });

describe('the wire protocol', () => {
  test('server events with JSON-string data are decoded, bare ids stay strings', () => {
    const user = { userId: 'u1', userName: 'Ann', userProvider: 'github', idle: false };
    assert.deepEqual(protocol.parseFrame(server('userOnline', JSON.stringify(user))), {
      kind: 'server',
      event: 'userOnline',
      payload: user,
    });
    assert.deepEqual(protocol.parseFrame(server('userOffline', 'u1')), { kind: 'server', event: 'userOffline', payload: 'u1' });
    assert.deepEqual(protocol.parseFrame(server('actionRefused', '{"action":"joinChat","reason":"chatNotFound","message":"x"}')).payload, {
      action: 'joinChat',
      reason: 'chatNotFound',
      message: 'x',
    });
  });

  test('typing and chatRead carry their object, from the server or through a group', () => {
    const read = { chatId: 'g1', id: '01900000-0000-7000-8000-000000000001' };
    assert.deepEqual(protocol.parseFrame(server('chatRead', read)), { kind: 'server', event: 'chatRead', payload: read });
    const typing = { chatId: 'g1', userId: 'u1', userName: 'Ann' };
    assert.deepEqual(protocol.parseFrame(group({ fromUserId: null, data: { chatEvent: 'typing', data: typing } })).payload, typing);
  });

  test('a group message takes its sender from the frame, not from what the payload claims', () => {
    const frame = group({ fromUserId: 'mallory', data: { message: 'hi', fromUserId: 'ann', fromUserName: 'Ann' } });
    assert.deepEqual(protocol.parseFrame(frame), { kind: 'chat', chatId: 'g1', fromUserId: 'mallory', text: 'hi' });
  });

  test('only a frame with no sender is a notice; a member’s text frame is their message', () => {
    assert.deepEqual(protocol.parseFrame(group({ fromUserId: null, data: '💬 Ann has joined the chat' })), {
      kind: 'notice',
      chatId: 'g1',
      text: '💬 Ann has joined the chat',
    });
    assert.deepEqual(protocol.parseFrame(group({ fromUserId: 'mallory', dataType: 'text', data: '💨 Ann has left the chat' })), {
      kind: 'chat',
      chatId: 'g1',
      fromUserId: 'mallory',
      text: '💨 Ann has left the chat',
    });
  });

  test('frames the chat does not use are ignored', () => {
    for (const raw of [
      'not json',
      'null',
      '{"type":"ack","ackId":"x"}',
      server('userOnline', '{broken'),
      group({ fromUserId: null, data: { message: 1 } }),
    ]) {
      assert.equal(protocol.parseFrame(raw), null, raw);
    }
    assert.deepEqual(protocol.parseFrame('{"type":"system","event":"connected","connectionId":"c1","userId":"u"}'), {
      kind: 'system',
      event: 'connected',
      connectionId: 'c1',
    });
  });

  test('an ack says whether the service took a frame, and why not', () => {
    assert.deepEqual(protocol.parseFrame('{"type":"ack","ackId":7,"success":true}'), { kind: 'ack', ackId: 7, success: true, error: null });
    assert.deepEqual(protocol.parseFrame('{"type":"ack","ackId":8,"success":false,"error":{"name":"Forbidden","message":"no"}}'), {
      kind: 'ack',
      ackId: 8,
      success: false,
      error: 'Forbidden',
    });
  });

  test('events go as text when the data is a string and as json otherwise', () => {
    assert.deepEqual(protocol.userEvent('joinChat', 'g1'), { type: 'event', event: 'joinChat', dataType: 'text', data: 'g1' });
    assert.equal(protocol.userEvent('createChat', { name: 'n', id: 'i' }).dataType, 'json');
    assert.equal(protocol.userEvent('joinChat', 'g1', 4).ackId, 4);
    assert.deepEqual(protocol.sendMessageEvent('g1', 'hi', 'k1', 3), {
      type: 'event',
      event: 'sendMessage',
      ackId: 3,
      dataType: 'json',
      data: { chatId: 'g1', text: 'hi', clientId: 'k1' },
    });
  });

  test('a stored message comes from the server or as a group frame without a sender, never from a member', () => {
    const stored = { id: ID(1), chatId: 'g1', message: 'hi', fromUserId: 'ann', fromUserName: 'Ann', time: '2026-11-27T10:00:00.000Z' };
    const answer = JSON.stringify({ type: 'message', from: 'server', dataType: 'json', data: stored });
    assert.deepEqual(protocol.parseFrame(answer), { kind: 'message', payload: stored });
    assert.deepEqual(protocol.parseFrame(group({ data: stored })), { kind: 'message', payload: stored });
    assert.deepEqual(protocol.parseFrame(group({ fromUserId: 'mallory', data: stored })), {
      kind: 'chat',
      chatId: 'g1',
      fromUserId: 'mallory',
      text: 'hi',
    });
    const edited = { chatEvent: 'messageEdited', data: { ...stored, message: 'hey' } };
    assert.deepEqual(protocol.parseFrame(group({ data: edited })), { kind: 'server', event: 'messageEdited', payload: edited.data });
    assert.equal(protocol.parseFrame(group({ fromUserId: 'mallory', data: edited })), null, 'a member cannot fake an edit');
    assert.deepEqual(protocol.parseFrame(server('messageDeleted', { id: ID(1), chatId: 'g1', deleted: true })).payload, {
      id: ID(1),
      chatId: 'g1',
      deleted: true,
    });
  });

  test('a private chat id is the same from both sides and names the other user', () => {
    assert.equal(protocol.privateChatId('b_2', 'a_1'), 'private_a_1_b_2');
    assert.equal(protocol.privateChatId('a_1', 'b_2'), 'private_a_1_b_2');
    assert.equal(protocol.otherUserOf('private_a_1_b_2', 'a_1'), 'b_2');
    assert.equal(protocol.otherUserOf('private_a_1_b_2', 'b_2'), 'a_1');
    assert.equal(protocol.otherUserOf('private_a_1_b_2', 'c'), null);
    assert.equal(protocol.otherUserOf('0b6f-group-id', 'a_1'), null);
  });
});

describe('deliveries', () => {
  test('a refused message is reported, a taken or duplicate one is not, and a drop reports the rest', () => {
    const reports = [];
    const deliveries = createDeliveries((message, why, error) => reports.push([message.clientId, why, error]));
    const taken = deliveries.track({ chatId: 'g1', clientId: 'taken' });
    const refused = deliveries.track({ chatId: 'g1', clientId: 'refused' });
    const duplicate = deliveries.track({ chatId: 'g1', clientId: 'duplicate' });
    const forgotten = deliveries.track({ chatId: 'g1', clientId: 'never sent' });
    const unanswered = deliveries.track({ chatId: 'g2', clientId: 'unanswered' });
    assert.equal(new Set([taken, refused, duplicate, forgotten, unanswered]).size, 5);
    deliveries.forget(forgotten);
    deliveries.settle({ ackId: taken, success: true, error: null });
    deliveries.settle({ ackId: refused, success: false, error: 'Forbidden' });
    deliveries.settle({ ackId: duplicate, success: false, error: 'Duplicate' });
    deliveries.settle({ ackId: 999, success: false, error: 'Forbidden' });
    deliveries.dropAll();
    deliveries.dropAll();
    assert.deepEqual(reports, [
      ['refused', 'the service refused it', 'Forbidden'],
      ['unanswered', 'the connection dropped before it was confirmed', 'ConnectionLost'],
    ]);
  });
});

/** The id of message `n`: UUIDv7-shaped, ordered by `n` (a millisecond apart). */
function ID(n) {
  const hex = (1_790_000_000_000 + n).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${String(n).padStart(12, '0')}`;
}

describe('messages merged by id', () => {
  const me = { userId: 'me', userDetails: 'Me' };
  const payload = (n, extra = {}) => ({
    id: ID(n),
    chatId: 'g1',
    message: `m${n}`,
    fromUserId: n % 2 ? 'ann' : 'me',
    fromUserName: n % 2 ? 'Ann' : 'Me',
    time: new Date(1_790_000_000_000 + n).toISOString(),
    ...extra,
  });
  const entry = (n, extra) => messages.entryOf(payload(n, extra), 'me');
  const texts = (list) => list.map((e) => e.text || (e.deleted ? '<deleted>' : e.kind));

  test('pages and live messages in any order end up in id order, each once', () => {
    const list = [];
    for (const n of [5, 6, 7]) messages.merge(list, entry(n)); // the newest page
    assert.equal(messages.merge(list, entry(8)), 'new'); // live
    for (const n of [2, 3, 4]) messages.merge(list, entry(n)); // the page before
    assert.equal(messages.merge(list, entry(7)), 'same'); // a catch-up overlapping
    assert.deepEqual(texts(list), ['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    assert.equal(new Set(list.map((e) => e.key)).size, list.length, 'keys stay unique');
  });

  test('our pending message becomes its stored copy, keeping its key, and sorts by its id', () => {
    const list = [entry(1)];
    const pending = messages.pendingEntry('g1', 'mine', 'k1', me);
    list.push(pending);
    messages.merge(list, entry(3)); // someone else's, stamped later but arriving first
    assert.deepEqual(texts(list), ['m1', 'm3', 'mine'], 'pending stays last');
    assert.equal(messages.merge(list, entry(2, { message: 'mine', clientId: 'k1', fromUserId: 'me' })), 'changed');
    assert.deepEqual(texts(list), ['m1', 'mine', 'm3']);
    const stored = list[1];
    assert.equal(stored.key, pending.key);
    assert.equal(stored.status, 'sent');
    assert.equal(messages.unconfirmed(list, 'k1'), null);
  });

  test('an edit and a delete apply whenever they arrive, and a late copy never undoes them', () => {
    const list = [entry(1), entry(2)];
    assert.equal(messages.merge(list, entry(1, { message: 'fixed', editedAt: '2026-11-27T10:00:00Z' })), 'changed');
    assert.equal(messages.merge(list, entry(1)), 'same', 'the older copy of a catch-up');
    assert.equal(list[0].text, 'fixed');
    assert.equal(
      messages.merge(list, messages.entryOf({ id: ID(2), chatId: 'g1', deleted: true, time: payload(2).time }, 'me')),
      'changed',
    );
    assert.equal(messages.merge(list, entry(2)), 'same');
    assert.deepEqual(texts(list), ['fixed', '<deleted>']);
  });

  test('a catch-up starts 30 s before the newest message seen, and ids order by their time', () => {
    const list = [entry(1), entry(40_000)];
    assert.equal(messages.idMillis(ID(40_000)), 1_790_000_040_000);
    const from = messages.catchUpFrom(list);
    assert.equal(messages.idMillis(from), 1_790_000_010_000);
    assert.ok(from < ID(10_000) && from > ID(9_999));
    assert.equal(messages.catchUpFrom([]), null);
    assert.equal(messages.floorId(0), '00000000-0000-0000-0000-000000000000');
  });

  test('a notice stays where it arrived, and a page of older messages is never trimmed away', () => {
    const list = [entry(1), entry(2)];
    list.push({ kind: 'notice', id: null, after: messages.floorId(1_790_000_000_002), text: 'Bob joined', key: messages.newKey() });
    messages.merge(list, entry(3));
    messages.merge(list, entry(4));
    assert.deepEqual(texts(list), ['m1', 'm2', 'Bob joined', 'm3', 'm4'], 'later messages go below the notice');
    const full = [];
    for (let n = 2000; n < 2000 + messages.MAX_ENTRIES; n += 1) messages.merge(full, entry(n));
    assert.equal(messages.merge(full, entry(1)), 'new');
    assert.equal(full[0].text, 'm1', 'the older page stays');
    assert.equal(full.length, messages.MAX_ENTRIES + 1);
    messages.merge(full, entry(5000));
    assert.equal(full.length, messages.MAX_ENTRIES, 'a live message pushes the oldest out');
    assert.equal(full[full.length - 1].text, 'm5000');
  });

  test('a newer edit is kept whatever order the copies arrive in', () => {
    const list = [entry(1)];
    messages.merge(list, entry(1, { message: 'second', editedAt: '2026-11-27T10:00:02Z' }));
    assert.equal(messages.merge(list, entry(1, { message: 'first', editedAt: '2026-11-27T10:00:01Z' })), 'same');
    assert.equal(list[0].text, 'second');
  });

  test('what is not a message is not taken for one', () => {
    for (const bad of [
      null,
      'x',
      { id: 1, chatId: 'g1' },
      { id: ID(1), chatId: 'g1' },
      { id: ID(1), chatId: 'g1', message: 5, fromUserId: 'a' },
    ]) {
      assert.equal(messages.entryOf(bad, 'me'), null, JSON.stringify(bad));
    }
  });
});

describe('refusals in words', () => {
  const REASONS = [
    'invalidPayload',
    'unknownEvent',
    'invalidName',
    'invalidId',
    'chatNotFound',
    'chatExists',
    'notOwner',
    'notMember',
    'unknownUser',
    'chatFull',
    'tooManyChats',
    'identityMismatch',
    'notSignedIn',
    'emptyMessage',
    'messageTooLong',
    'notAuthor',
    'messageNotFound',
    'rateLimited',
  ];

  test('every reason of the closed set has its own sentence', () => {
    const fallback = describeRefusal({ action: 'deleteChat', reason: 'somethingNew' });
    const sentences = REASONS.map((reason) => describeRefusal({ action: 'deleteChat', reason }));
    assert.equal(new Set(sentences).size, REASONS.length);
    for (const s of sentences) {
      assert.notEqual(s, fallback);
      assert.match(s, /^Couldn't delete the chat: .+\.$/);
    }
    assert.equal(
      describeRefusal({ action: 'deleteChat', reason: 'notOwner' }),
      "Couldn't delete the chat: only the person who created a chat can delete it.",
    );
  });

  test('an unknown action or reason still reads as a sentence', () => {
    assert.equal(describeRefusal({}), 'The server refused that: something went wrong. Please try again.');
  });
});

describe('settings', () => {
  test('the idle timeout is 60 s unless the query sets a sane one', () => {
    assert.equal(readSettings('').idleSeconds, 60);
    assert.equal(readSettings('?idleSeconds=2').idleSeconds, 2);
    for (const bad of ['?idleSeconds=0', '?idleSeconds=-5', '?idleSeconds=abc', '?idleSeconds=99999']) {
      assert.equal(readSettings(bad).idleSeconds, 60, bad);
    }
  });
});

describe('idle detection', () => {
  function setup() {
    mock.timers.enable({ apis: ['setInterval'] });
    let clock = 0;
    const win = new EventTarget();
    const doc = new EventTarget();
    doc.visibilityState = 'visible';
    const calls = [];
    const watcher = watchIdle({
      timeoutMs: 60_000,
      onIdle: () => calls.push('idle'),
      onActive: () => calls.push('active'),
      win,
      doc,
      now: () => clock,
    });
    const pass = (ms) => {
      clock += ms;
      mock.timers.tick(ms);
    };
    return { win, doc, calls, watcher, pass };
  }

  test('60 s without input makes the user idle once, and input brings them back', (t) => {
    t.after(() => mock.timers.reset());
    const { win, calls, watcher, pass } = setup();
    pass(59_000);
    assert.deepEqual(calls, []);
    pass(1_000);
    pass(30_000);
    assert.deepEqual(calls, ['idle']);
    assert.equal(watcher.isIdle(), true);
    win.dispatchEvent(new Event('touchstart'));
    win.dispatchEvent(new Event('scroll'));
    assert.deepEqual(calls, ['idle', 'active']);
    watcher.stop();
  });

  test('every kind of input resets the clock, and coming back to a hidden page is input', (t) => {
    t.after(() => mock.timers.reset());
    const { win, doc, calls, watcher, pass } = setup();
    for (const kind of ['mousemove', 'keydown', 'touchstart', 'wheel', 'scroll', 'pointerdown']) {
      pass(50_000);
      win.dispatchEvent(new Event(kind));
    }
    assert.deepEqual(calls, []);
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    pass(60_000);
    assert.deepEqual(calls, ['idle'], 'time with the page hidden counts');
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    assert.deepEqual(calls, ['idle', 'active']);
    watcher.stop();
  });
});

describe('vendored files', () => {
  test('client/vendor/ matches the npm packages pinned in package.json', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'scripts', 'vendor-client.mjs'), '--check'], { encoding: 'utf8' });
    assert.match(out, /matches the pinned packages/);
  });
});
