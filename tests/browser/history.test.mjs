// Kept messages in Chromium against a real `chatr dev`: what was said is there after a reload,
// for a late joiner and on a second device; a private message reaches someone who reloaded;
// edits and deletes reach the other side; scrolling up loads the page before. Each test builds
// on the ones before it. Messages are sent without a rate limit here (`CHATR_MESSAGE_BURST=0`):
// the limit has tests of its own.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chromiumSuite, dropUserSockets } from './harness.mjs';
import { arrive } from './people.mjs';
import { rawMember } from './raw-member.mjs';

/** The texts of the visible pane's messages, in order. */
function texts(person) {
  return person.messages().locator('.text').allTextContents();
}

describe('kept messages in Chromium', () => {
  let alice;
  let bob;
  let carol;
  const everyone = () => [alice, bob, carol].filter(Boolean);
  const suite = chromiumSuite(everyone, { env: { CHATR_MESSAGE_BURST: '0' } });

  test('two people talk, one reloads, and the conversation is still there', async () => {
    alice = await arrive(suite.browser, suite.chatr.base, 'alice');
    bob = await arrive(suite.browser, suite.chatr.base, 'bob');
    await alice.createChat('Book club');
    await bob.chatEntry('Book club').waitFor();
    await bob.join('Book club');
    await alice.say('Which book next?');
    await bob.message('alice', 'Which book next?').waitFor();
    await bob.say('Something short, please');
    await alice.message('bob', 'Something short, please').waitFor();

    await bob.page.reload();
    await bob.online();
    await bob.join('Book club');
    await bob.message('alice', 'Which book next?').waitFor();
    await bob.message('You', 'Something short, please').waitFor();
    assert.deepEqual(await texts(bob), ['Which book next?', 'Something short, please']);
    await bob.messages().locator('.delivery').waitFor({ state: 'detached' });
    await alice.say('Then a novella');
    await bob.message('alice', 'Then a novella').waitFor();
    assert.equal(await bob.messages().count(), 3, 'no gap and no duplicate after the reload');
  });

  test('someone who joins late reads what was said before', async () => {
    carol = await arrive(suite.browser, suite.chatr.base, 'carol');
    await carol.join('Book club');
    await carol.message('alice', 'Which book next?').waitFor();
    assert.deepEqual(await texts(carol), ['Which book next?', 'Something short, please', 'Then a novella']);
    await carol.pane().locator('.day-line', { hasText: 'Today' }).waitFor();
  });

  test('an edit and a delete reach everyone, and a reload shows them too', async () => {
    const mine = alice.message('You', 'Then a novella');
    await mine.hover();
    await mine.getByRole('button', { name: /^Edit your message/ }).click();
    const box = alice.pane().getByRole('textbox', { name: 'Edit your message' });
    await box.fill('Then a short novel');
    await box.press('Enter');
    await carol.message('alice', 'Then a short novel').locator('.edited').waitFor();
    await bob.message('alice', 'Then a short novel').waitFor();

    const theirs = bob.message('You', 'Something short, please');
    await theirs.hover();
    await theirs.getByRole('button', { name: /^Delete the message/ }).click();
    await theirs.getByRole('button', { name: 'Delete', exact: true }).click();
    await carol.pane().getByText('This message was deleted.').waitFor();
    await alice.pane().getByText('This message was deleted.').waitFor();
    assert.equal(await carol.message('bob', 'Something short').count(), 0);

    await carol.page.reload();
    await carol.online();
    await carol.join('Book club');
    await carol.message('alice', 'Then a short novel').locator('.edited').waitFor();
    await carol.pane().getByText('This message was deleted.').waitFor();
    assert.equal(await carol.pane().getByText('Something short, please').count(), 0, 'no text survives a delete');
  });

  test('an edit too long or empty says why and cannot be saved; nothing is cut', async () => {
    const mine = alice.message('You', 'Then a short novel');
    await mine.hover();
    await mine.getByRole('button', { name: /^Edit your message/ }).click();
    const box = alice.pane().getByRole('textbox', { name: 'Edit your message' });
    const save = alice.pane().getByRole('button', { name: 'Save' });
    await box.fill('n'.repeat(4_001));
    assert.equal((await box.inputValue()).length, 4_001, 'nothing was cut');
    await alice.pane().locator('.edit-note', { hasText: 'Too long by 1 character: shorten it to save.' }).waitFor();
    await alice.pane().locator('.edit-note', { hasText: '4,001 of 4,000 characters' }).waitFor();
    assert.equal(await save.isDisabled(), true);
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    await box.press('Enter');
    assert.equal(await box.isVisible(), true, 'still editing: Enter saved nothing');
    await box.fill('   ');
    await alice.pane().locator('.edit-note', { hasText: 'A message cannot be empty: delete it instead.' }).waitFor();
    assert.equal(await save.isDisabled(), true);
    await box.press('Escape');
    await alice.message('You', 'Then a short novel').waitFor();
    assert.equal(await carol.message('alice', 'n'.repeat(50)).count(), 0, 'nothing reached the others');
  });

  test('only the author edits; the owner may delete anyone’s message', async () => {
    const bobs = carol.message('alice', 'Which book next?');
    await bobs.hover();
    assert.equal(await bobs.getByRole('button').count(), 0, 'carol may neither edit nor delete alice’s message');
    await carol.say('Carol was here');
    const hers = alice.message('carol', 'Carol was here');
    await hers.waitFor();
    await hers.hover();
    assert.equal(await hers.getByRole('button', { name: /^Edit/ }).count(), 0);
    await hers.getByRole('button', { name: /^Delete the message from carol/ }).click();
    await hers.getByRole('button', { name: 'Delete', exact: true }).click();
    await carol.pane().getByText('This message was deleted.').nth(1).waitFor();
  });

  test('a private message to someone who just reloaded reaches them', async () => {
    await bob.user('carol').locator('button').click();
    await bob.tab('Chat with carol').and(bob.page.locator('[aria-selected="true"]')).waitFor();
    carol.guard.allow(
      /^request failed: \S+\/api\/chats\/private_[^/]+\/messages\?limit=50 \(net::ERR_ABORTED\)$/,
      'reloading at once aborts the history request of the tab the invitation just opened',
    );
    await carol.page.reload();
    await carol.online();
    await bob.say('Are you still there, carol?');
    await carol.tab('Chat with bob').click();
    await carol.message('bob', 'Are you still there, carol?').waitFor();
    await carol.say('Yes, just reloaded');
    await bob.message('carol', 'Yes, just reloaded').waitFor();
  });

  test('a message sent while someone was disconnected reaches them when they are back', async () => {
    // bob's way back waits for the test: his next token request is held until released.
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    await bob.page.route('**/api/getToken', async (route) => {
      await held;
      await route.continue();
    });
    await bob.tab('Book club').click();
    await dropUserSockets(suite.chatr.emulator, bob.id);
    await bob.page.locator('.connection-pill', { hasText: /Reconnecting…|Offline/ }).waitFor();
    // Nobody's presence is known meanwhile: greyed, and said.
    await bob.page.locator('.user-list.is-unknown').waitFor();
    await bob.page.getByText('who is online is unknown until chatr reconnects').waitFor();
    assert.equal(await bob.page.locator('.user-list .presence.is-here').count(), 0, 'nobody shows green');
    await alice.tab('Book club').click();
    await alice.say('Sent while bob was away');
    await alice.message('You', 'Sent while bob was away').locator('.delivery').waitFor({ state: 'detached' });
    release();
    await bob.online();
    await bob.user('alice').locator('.presence.is-here').waitFor();
    await bob.message('alice', 'Sent while bob was away').waitFor();
    assert.equal(await bob.message('alice', 'Sent while bob was away').count(), 1, 'once');
    await bob.page.unroute('**/api/getToken');
  });

  test('unread counts are right after a reload, and reading a chat clears them everywhere', async () => {
    await carol.page.reload();
    await carol.online();
    await alice.tab('Book club').click();
    await alice.say('Two more for carol');
    const body = alice.pane().getByRole('textbox');
    await body.fill('@carol, are you coming?');
    await body.press('Enter');
    await alice.message('You', 'are you coming?').locator('.delivery').waitFor({ state: 'detached' });
    const badge = carol.chatEntry('Book club').locator('.unread');
    // Three: these two, and the one sent while bob was away, which carol has not read either.
    await badge.filter({ hasText: '3' }).waitFor();
    await carol.page.reload();
    await carol.online();
    await badge.filter({ hasText: '3' }).waitFor();
    await carol.join('Book club');
    await carol.message('alice', 'are you coming?').waitFor();
    await badge.waitFor({ state: 'detached' });
    // The read cursor went to the server: a reload (or another device) agrees.
    await carol.page.waitForFunction(
      async (name) => {
        const { chats } = await (await fetch('/api/chats')).json();
        return Object.values(chats).some((c) => c.name === name && c.unread === 0);
      },
      'Book club',
      { polling: 100 },
    );
    await carol.page.reload();
    await carol.online();
    await carol.chatEntry('Book club').waitFor();
    assert.equal(await badge.count(), 0);
  });

  test('scrolling to the top loads the messages before, in order, without duplicates', async () => {
    const ann = await rawMember(suite.chatr.base, 'ann');
    try {
      const club = Object.values(await ann.chats()).find((c) => c.name === 'Book club');
      await ann.joinAndWait(club.id);
      for (let n = 1; n <= 70; n += 1) ann.sendMessage({ chatId: club.id, text: `page test ${n}`, clientId: `pt-${n}` });
      await alice.tab('Book club').click();
      await alice.message('ann', 'page test 70').waitFor();
      await alice.page.reload();
      await alice.online();
      await alice.join('Book club');
      await alice.message('ann', 'page test 70').waitFor();
      assert.equal(await alice.messages().count(), 50, 'the newest page');
      const log = alice.pane().getByRole('log');
      await log.hover();
      await alice.page.mouse.wheel(0, -20_000);
      await alice.message('You', 'Which book next?').waitFor();
      const shown = await texts(alice);
      const tests = shown.filter((t) => t.startsWith('page test '));
      assert.deepEqual(
        tests,
        Array.from({ length: 70 }, (_, i) => `page test ${i + 1}`),
      );
      // Book club holds 77 messages: 70 of ann's, alice's five, bob's and carol's deleted ones.
      assert.equal(await alice.messages().count(), 77);
      await alice.pane().getByRole('button', { name: 'Load earlier messages' }).waitFor({ state: 'detached' });
    } finally {
      await ann.close();
    }
  });

  test('a message the service refuses is marked as not sent, and Retry sends it', async () => {
    let refusals = 0;
    const ivy = await arrive(suite.browser, suite.chatr.base, 'ivy', {
      // Passes everything through, except that the service "refuses" one message, once.
      routeSocket: (ws) => {
        const service = ws.connectToServer();
        ws.onMessage((message) => {
          const frame = JSON.parse(message);
          if (frame.event === 'sendMessage' && frame.data?.text === 'refuse me' && refusals++ === 0) {
            ws.send(
              JSON.stringify({ type: 'ack', ackId: frame.ackId, success: false, error: { name: 'Forbidden', message: 'No permission' } }),
            );
          } else {
            service.send(message);
          }
        });
      },
    });
    try {
      await ivy.createChat('Ivy room');
      await ivy.say('this one arrives');
      const box = ivy.pane().getByRole('textbox');
      await box.fill('refuse me');
      await box.press('Enter');
      const refused = ivy.message('You', 'refuse me');
      await refused.locator('.failed-note', { hasText: 'Not sent: the service refused it.' }).waitFor();
      await refused.getByRole('button', { name: 'Retry' }).click();
      await refused.locator('.failed-note').waitFor({ state: 'detached' });
      await refused.locator('.delivery').waitFor({ state: 'detached' });
      ivy.check();
    } finally {
      await ivy.context.close();
    }
  });
});
