// The browser client in Chromium against a real `chatr dev`: three people (and, for idle
// and forgery, a fourth and a raw socket) use every feature of the chat. Each test depends on
// the ones before it, as a conversation does. Every test fails on a console error or a failed
// request that it does not name.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chromiumSuite, dropUserSockets, screenshotPath } from './harness.mjs';
import { arrive } from './people.mjs';
import { rawMember } from './raw-member.mjs';

describe('the chat in Chromium', () => {
  let alice;
  let bob;
  let carol;
  const everyone = () => [alice, bob, carol].filter(Boolean);

  const suite = chromiumSuite(everyone);

  test('a person signs in through the login page and sees who they are', async () => {
    alice = await arrive(suite.browser, suite.chatr.base, 'alice', { form: true });
    await alice.page.locator('.who-name', { hasText: 'alice' }).waitFor();
    const login = await alice.context.newPage();
    await login.goto(`${suite.chatr.base}/login.html`);
    await login.getByRole('heading', { name: 'You are signed in' }).waitFor();
    await login.locator('#me-name', { hasText: 'alice' }).waitFor();
    await login.getByText('via GitHub').waitFor();
    await login.close();
  });

  test('everyone online sees everyone, with provider and their own entry marked', async () => {
    bob = await arrive(suite.browser, suite.chatr.base, 'bob');
    carol = await arrive(suite.browser, suite.chatr.base, 'carol', { provider: 'aad' });
    for (const person of everyone()) {
      for (const other of ['alice', 'bob', 'carol']) await person.user(other).waitFor();
      await person.user(person.name).locator('.is-you').waitFor();
      assert.equal(await person.page.locator('.user-list .is-you').count(), 1);
      assert.equal(await person.user('carol').locator('img').getAttribute('alt'), 'Microsoft');
      assert.equal(await person.user('bob').locator('img').getAttribute('alt'), 'GitHub');
    }
  });

  test('a chat is named in a dialog: Escape cancels, Enter creates, and everyone sees it', async () => {
    const page = alice.page;
    const newChat = page.getByRole('button', { name: 'New chat' });
    await newChat.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New group chat' });
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'new-chat-name');
    await page.keyboard.type('Never made');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('new-chat')), true);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await dialog.getByText('Give the chat a name.').waitFor();
    await page.keyboard.type('Lunch plans');
    await page.keyboard.press('Enter');
    await alice.tab('Lunch plans').waitFor();
    await alice.notice('alice has joined the chat').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
    for (const person of [bob, carol]) await person.chatEntry('Lunch plans').waitFor();
    assert.equal(await bob.chatEntry('Never made').count(), 0);
  });

  test('members exchange messages every way, each with sender, time and own messages told apart', async () => {
    await bob.join('Lunch plans');
    await carol.join('Lunch plans');
    // One quiet line for the run of joins, each one behind "Show all".
    await alice.notice('alice, bob and carol joined').waitFor();
    await alice.pane().getByRole('button', { name: 'Show all 3' }).click();
    await alice.pane().locator('.notice-item', { hasText: 'carol has joined the chat' }).waitFor();
    await alice.pane().getByRole('button', { name: 'Hide' }).click();
    await alice.say('Pizza at noon?');
    await bob.say('Yes please');
    await carol.say('Count me in');
    const said = { alice: 'Pizza at noon?', bob: 'Yes please', carol: 'Count me in' };
    for (const person of everyone()) {
      for (const [who, text] of Object.entries(said)) {
        const bubble = person.message(who === person.name ? 'You' : who, text);
        await bubble.waitFor();
        assert.match(await bubble.locator('time').textContent(), /\d{1,2}:\d{2}/);
        assert.equal(await bubble.evaluate((el) => el.classList.contains('is-own')), who === person.name);
      }
    }
    await alice.page.screenshot({ path: screenshotPath('chats') });
  });

  test('an empty message is not sent and a long one wraps', async () => {
    const box = alice.pane().getByRole('textbox');
    await box.fill('   ');
    await box.press('Enter');
    assert.equal(await alice.pane().getByRole('button', { name: 'Send' }).isDisabled(), true);
    const long = 'x'.repeat(600);
    await bob.say(long);
    const bubble = alice.message('bob', long);
    await bubble.waitFor();
    const width = await bubble.locator('.text').evaluate((el) => [el.scrollWidth, el.clientWidth]);
    assert.ok(width[0] <= width[1], `the long word wraps (${width})`);
    assert.equal(await alice.messages().count(), 4, 'no empty message arrived');
  });

  test('past the limit a pasted message is kept whole, counted, and refused until shortened', async () => {
    const box = alice.pane().getByRole('textbox');
    const send = alice.pane().getByRole('button', { name: 'Send' });
    await box.fill('y'.repeat(3_500));
    assert.equal(await alice.pane().locator('.composer-count').count(), 0, 'no counter far from the limit');
    const pasted = 'z'.repeat(4_100);
    await box.fill(pasted);
    assert.equal((await box.inputValue()).length, 4_100, 'nothing was cut');
    const counter = alice.pane().locator('.composer-count');
    await counter.getByText('Too long by 100 characters: shorten it to send.').waitFor();
    const announced = alice.pane().locator('.composer [aria-live="polite"]');
    assert.equal(await announced.textContent(), 'Too long by 100 characters: shorten it to send.');
    await alice.pane().getByText('4,100 of 4,000 characters').waitFor();
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    assert.equal(await send.isDisabled(), true);
    await box.press('Enter');
    assert.equal(await alice.messages().count(), 4, 'Enter sends nothing either');
    assert.equal((await box.inputValue()).length, 4_100, 'and adds no line');
    // Characters as the server counts them: an emoji is one, trailing spaces none.
    await box.fill(`${'😀'.repeat(4_001)}`);
    await counter.getByText('Too long by 1 character: shorten it to send.').waitFor();
    await box.fill(`${'😀'.repeat(4_000)}\n  `);
    await alice.pane().getByText('4,000 of 4,000 characters').waitFor();
    assert.equal(await box.getAttribute('aria-invalid'), null);
    assert.equal(await counter.getByText(/Too long/).count(), 0);
    assert.equal(await announced.textContent(), '', 'nothing left to announce');
    await box.fill(pasted.slice(0, 4_000));
    await alice.pane().getByText('4,000 of 4,000 characters').waitFor();
    assert.equal(await send.isDisabled(), false);
    await send.click();
    await bob.message('alice', pasted.slice(0, 4_000)).waitFor();
    assert.equal(await alice.pane().locator('.composer-count').count(), 0, 'the empty box counts nothing');
  });

  test('markup in a message is shown as text, never as HTML', async () => {
    const attack = '<img src=x onerror="window.__xss = 1"><b>bold</b>';
    await carol.say(attack);
    for (const person of [alice, bob]) {
      await person.message('carol', attack).waitFor();
      assert.equal(await person.pane().locator('.message-list img, .message-list b').count(), 0);
      assert.equal(await person.page.evaluate(() => window.__xss), undefined);
    }
  });

  test('new messages scroll into view, unless the reader has scrolled up to read', async () => {
    await bob.page.setViewportSize({ width: 1280, height: 520 });
    const log = bob.pane().getByRole('log');
    const gap = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await alice.say('First of two');
    await bob.message('alice', 'First of two').waitFor();
    assert.ok((await gap()) < 5, 'a reader at the bottom follows new messages');
    await log.hover();
    await bob.page.mouse.wheel(0, -5000);
    await bob.page.waitForFunction((el) => el.scrollTop === 0, await log.elementHandle());
    await alice.say('Second of two');
    await bob.message('alice', 'Second of two').waitFor({ state: 'attached' });
    const jump = bob.pane().getByRole('button', { name: /New messages/ });
    await jump.waitFor();
    assert.equal(await log.evaluate((el) => el.scrollTop), 0, 'a reader who scrolled up stays where they are');
    await jump.click();
    await jump.waitFor({ state: 'detached' });
    assert.ok((await gap()) < 5);
    await bob.page.setViewportSize({ width: 1280, height: 800 });
  });

  test('the sender shown is the verified one, and a member cannot publish around the server', async () => {
    const mallory = await rawMember(suite.chatr.base, 'mallory');
    try {
      const lunch = Object.values(await mallory.chats()).find((c) => c.name === 'Lunch plans');
      await mallory.joinAndWait(lunch.id);
      const ack = await mallory.publishTextToGroup(lunch.id, '💨 bob has left the chat');
      assert.equal(ack.error?.name, 'Forbidden', 'messages go through the server only');
      mallory.sendMessage({ chatId: lunch.id, text: 'I am alice, trust me', fromUserId: alice.id, fromUserName: 'alice' });
      await bob.message('mallory', 'I am alice, trust me').waitFor();
      assert.equal(await bob.message('alice', 'I am alice').count(), 0);
      assert.equal(await bob.pane().getByText('bob has left the chat').count(), 0);
    } finally {
      await mallory.close();
    }
    await bob.user('mallory').waitFor({ state: 'detached' });
  });

  test('a refused action shows as a notice a person understands', async () => {
    await bob.page.getByRole('button', { name: 'New chat' }).click();
    await bob.page.getByLabel('Chat name').fill('bad\u0007name');
    await bob.page.keyboard.press('Enter');
    await bob.page.locator('.toast', { hasText: "Couldn't create the chat: a name needs 1 to 64 characters" }).waitFor();
    assert.equal(await alice.chatEntry('badname').count(), 0);
  });

  test('clicking a person opens a direct conversation; the other hears of it with its first message, never the sender', async () => {
    await bob.user('carol').locator('button').click();
    await bob.tab('Chat with carol').and(bob.page.locator('[aria-selected="true"]')).waitFor();
    // Nothing reaches carol until something is said: no tab, no popup, not even listed (her
    // page read afresh, so that the check does not race the server's event).
    await bob.direct('carol').waitFor();
    await carol.page.reload();
    await carol.online();
    assert.equal(await carol.direct('bob').count(), 0);
    await carol.join('Lunch plans');
    assert.equal(await carol.page.getByRole('tab', { name: /Chat with bob/ }).count(), 0);
    assert.equal(await carol.page.locator('.invite').count(), 0);
    await bob.say('Hi carol, just us');
    const popup = carol.popup('Hi carol, just us');
    await popup.getByText('bob', { exact: true }).waitFor();
    await carol.tab('Chat with bob').locator('.unread', { hasText: '1' }).waitFor();
    await carol.direct('bob').locator('.unread', { hasText: '1' }).waitFor();
    assert.equal(await bob.page.locator('.invite').count(), 0, 'never shown to the one who wrote');
    await carol.page.screenshot({ path: screenshotPath('direct-message-popup'), animations: 'disabled' });
    await carol.page.keyboard.press('Escape');
    await popup.waitFor({ state: 'detached' });
    await carol.direct('bob').locator('button').click();
    await carol.tab('Chat with bob').and(carol.page.locator('[aria-selected="true"]')).waitFor();
    assert.equal(await carol.tab('Chat with bob').locator('.unread').count(), 0);
    await carol.message('bob', 'Hi carol, just us').waitFor();
    await carol.say('Hi bob');
    await bob.message('carol', 'Hi bob').waitFor();
    assert.equal(await alice.page.getByRole('tab', { name: /Chat with/ }).count(), 0);
    assert.equal(await alice.direct('bob').count(), 0, 'nobody else hears of it');
  });

  test('inactive tabs count unread messages, and arrow keys move between tabs', async () => {
    await alice.page.getByRole('tab', { name: /Lunch plans/ }).waitFor();
    await carol.tab('Chat with bob').click();
    await alice.say('Who is bringing drinks?');
    await carol.tab('Lunch plans').locator('.unread', { hasText: '1' }).waitFor();
    await carol.tab('Chat with bob').focus();
    await carol.page.keyboard.press('ArrowLeft');
    await carol.tab('Lunch plans').and(carol.page.locator('[aria-selected="true"]')).waitFor();
    assert.equal(await carol.tab('Lunch plans').locator('.unread').count(), 0);
    await carol.message('alice', 'Who is bringing drinks?').waitFor();
  });

  test('leaving a chat closes its tab and tells the others', async () => {
    await carol.tab('Lunch plans').click();
    await carol.pane().getByRole('button', { name: 'Leave Lunch plans' }).click();
    await carol.page.getByRole('tab', { name: /Lunch plans/ }).waitFor({ state: 'detached' });
    await alice.notice('carol has left the chat').waitFor();
    assert.equal(await carol.chatEntry('Lunch plans').locator('.is-joined').count(), 0);
    await carol.tab('Chat with bob').and(carol.page.locator('[aria-selected="true"]')).waitFor();
  });

  test('a person idle for the timeout shows as away, and back on activity', async () => {
    const dave = await arrive(suite.browser, suite.chatr.base, 'dave', { query: '?idleSeconds=2' });
    try {
      await alice.user('dave').locator('.is-away-tag').waitFor();
      await dave.user('dave').locator('.is-away-tag').waitFor();
      await dave.page.mouse.move(200, 300);
      await dave.page.mouse.move(220, 320);
      await alice.user('dave').locator('.is-away-tag').waitFor({ state: 'detached' });
      dave.check();
    } finally {
      await dave.context.close();
    }
    await alice.user('dave').waitFor({ state: 'detached' });
  });

  /** How many notice lines each open chat of each person shows (hidden panes included). */
  async function noticeCounts(people) {
    const counts = {};
    for (const person of people) {
      for (const pane of await person.page.locator('.chat-pane').all()) {
        counts[`${person.name} ${await pane.getAttribute('id')}`] = await pane.locator('.notice-text').count();
      }
    }
    return counts;
  }

  test('a dropped socket reconnects and is still in every chat, with no line in any of them', async () => {
    const before = await noticeCounts([alice, bob, carol]);
    await dropUserSockets(suite.chatr.emulator, bob.id);
    // One quiet status in the header, and presence greyed as unknown meanwhile.
    await bob.page.locator('.connection-pill', { hasText: /Reconnecting…|Offline/ }).waitFor();
    await bob.online();
    assert.equal(await bob.page.locator('.toast', { hasText: /connect/i }).count(), 0, 'no toast says so either');
    assert.deepEqual(await noticeCounts([alice, bob, carol]), before, 'no joined, left or reconnected lines');
    await bob.tab('Lunch plans').click();
    await alice.tab('Lunch plans').click();
    await alice.say('Still there, bob?');
    await bob.message('alice', 'Still there, bob?').waitFor();
    await bob.say('Back again');
    await alice.message('bob', 'Back again').waitFor();
    await carol.tab('Chat with bob').click();
    await carol.say('Private still works?');
    await bob.tab('Chat with carol').click();
    await bob.message('carol', 'Private still works?').waitFor();
  });

  test('after a server restart everyone is back in every chat, with no line in any of them', async () => {
    const before = await noticeCounts([alice, bob, carol]);
    await suite.chatr.restart();
    for (const person of [alice, bob, carol]) await person.online();
    assert.deepEqual(await noticeCounts([alice, bob, carol]), before, 'no joined, left or reconnected lines');
    await bob.tab('Lunch plans').click();
    await alice.tab('Lunch plans').click();
    await alice.say('Hello after the restart');
    await bob.message('alice', 'Hello after the restart').waitFor();
    await bob.say('Still here');
    await alice.message('bob', 'Still here').waitFor();
    await carol.tab('Chat with bob').click();
    await carol.say('Private after the restart');
    await bob.tab('Chat with carol').click();
    await bob.message('carol', 'Private after the restart').waitFor();
  });

  test('only the owner can delete a chat, after confirming, and members see its tab close', async () => {
    assert.equal(
      await bob
        .chatEntry('Lunch plans')
        .getByRole('button', { name: /Delete/ })
        .count(),
      0,
    );
    assert.equal(
      await carol
        .chatEntry('Lunch plans')
        .getByRole('button', { name: /Delete/ })
        .count(),
      0,
    );
    const remove = alice.chatEntry('Lunch plans').getByRole('button', { name: 'Delete chat Lunch plans' });
    await remove.click();
    const confirm = alice.page.getByRole('alertdialog', { name: 'Delete this chat?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await bob.chatEntry('Lunch plans').waitFor();
    await remove.click();
    await confirm.getByRole('button', { name: 'Delete chat' }).click();
    for (const person of everyone()) await person.chatEntry('Lunch plans').waitFor({ state: 'detached' });
    await bob.page.locator('.toast', { hasText: '“Lunch plans” was deleted by its owner' }).waitFor();
    assert.equal(await bob.page.getByRole('tab', { name: /Lunch plans/ }).count(), 0);
    await alice.page.locator('.toast', { hasText: 'You deleted “Lunch plans”.' }).waitFor();
  });

  test('after a reload a private chat comes back with its next message; closing one hides it until the next', async () => {
    await bob.page.reload();
    await bob.online();
    await bob.direct('carol').waitFor();
    await carol.tab('Chat with bob').click();
    await carol.say('Are you back, bob?');
    // With no other tab open, the one that comes back is the visible one.
    await bob.tab('Chat with carol').and(bob.page.locator('[aria-selected="true"]')).waitFor();
    await bob.message('carol', 'Are you back, bob?').waitFor();
    // Reopening an existing private chat tells nobody anything.
    await bob.page.reload();
    await bob.online();
    await bob.user('carol').locator('button').click();
    await bob.tab('Chat with carol').and(bob.page.locator('[aria-selected="true"]')).waitFor();
    await bob.say('Yes, reloaded twice');
    await carol.message('bob', 'Yes, reloaded twice').waitFor();
    assert.equal(await carol.page.locator('.invite').count(), 0, 'carol, reading it, has no popup');
    assert.equal(await carol.notice('wants to chat').count(), 0, 'no line about wanting to chat');
    // Closing hides it here only, across a reload; bob is told nothing and it comes back with
    // his next message.
    await carol.pane().getByRole('button', { name: 'Close Chat with bob' }).click();
    await carol.tab('Chat with bob').waitFor({ state: 'detached' });
    await carol.direct('bob').waitFor({ state: 'detached' });
    await carol.page.reload();
    await carol.online();
    assert.equal(await carol.direct('bob').count(), 0, 'still hidden after a reload');
    // Nobody was told: carol is still in it (one who left is no longer listed to herself).
    const listed = await carol.page.evaluate(async () => Object.keys((await (await fetch('/api/chats')).json()).direct));
    assert.deepEqual(listed, ['private_bob-id_carol-id']);
    await bob.say('Welcome back, carol');
    // With no other tab open it comes back in front (so no popup is needed).
    await carol.tab('Chat with bob').and(carol.page.locator('[aria-selected="true"]')).waitFor();
    await carol.message('bob', 'Welcome back, carol').waitFor();
    await carol.direct('bob').waitFor();
  });

  test('at phone width the lists fold away behind a button', async () => {
    await carol.page.setViewportSize({ width: 390, height: 800 });
    const lists = carol.page.locator('#sidebar');
    await lists.waitFor({ state: 'hidden' });
    const toggle = carol.page.getByRole('button', { name: 'Chats & people' });
    await toggle.click();
    await lists.waitFor();
    await carol.page.screenshot({ path: screenshotPath('phone-lists') });
    await carol.user('alice').locator('button').click();
    await lists.waitFor({ state: 'hidden' });
    await carol.tab('Chat with alice').and(carol.page.locator('[aria-selected="true"]')).waitFor();
    await carol.say('Sent from my phone');
    await alice.message('carol', 'Sent from my phone').waitFor();
    await carol.page.screenshot({ path: screenshotPath('phone-chat') });
  });

  test('signing out leads back to the login page', async () => {
    await bob.page.getByRole('link', { name: 'Sign out' }).click();
    await bob.page.waitForURL(/\/login\.html$/);
    await bob.page.getByRole('link', { name: 'Sign in with GitHub' }).waitFor();
    await bob.page.screenshot({ path: screenshotPath('login') });
    await alice.user('bob').waitFor({ state: 'detached' });
  });
});
