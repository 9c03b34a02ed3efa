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
    assert.deepEqual(protocol.groupMessage('g1', 'hi', { userId: 'u1', userDetails: 'Ann' }, 3), {
      type: 'sendToGroup',
      group: 'g1',
      ackId: 3,
      dataType: 'json',
      data: { message: 'hi', fromUserId: 'u1', fromUserName: 'Ann' },
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
    const deliveries = createDeliveries((message, why) => reports.push([message.text, why]));
    const taken = deliveries.track('g1', 'taken');
    const refused = deliveries.track('g1', 'refused');
    const duplicate = deliveries.track('g1', 'duplicate');
    const forgotten = deliveries.track('g1', 'never sent');
    const unanswered = deliveries.track('g2', 'unanswered');
    assert.equal(new Set([taken, refused, duplicate, forgotten, unanswered]).size, 5);
    deliveries.forget(forgotten);
    deliveries.settle({ ackId: taken, success: true, error: null });
    deliveries.settle({ ackId: refused, success: false, error: 'Forbidden' });
    deliveries.settle({ ackId: duplicate, success: false, error: 'Duplicate' });
    deliveries.settle({ ackId: 999, success: false, error: 'Forbidden' });
    deliveries.dropAll();
    deliveries.dropAll();
    assert.deepEqual(reports, [
      ['refused', 'you are not in this chat right now'],
      ['unanswered', 'the connection dropped before it was confirmed'],
    ]);
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
