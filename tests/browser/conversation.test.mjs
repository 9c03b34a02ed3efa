// The conversation as people meet it, in Chromium (issue 18): one sender's messages grouped
// under an avatar, safe links, the "new messages" line, folded notices that are never unread,
// @ mentions picked from the members and sent by id, notifications of mentions and direct
// messages while hidden and the title's count, typing indicators, names told apart, a direct
// message to someone offline, the keyboard, going offline; axe on each new view. (Tabs and the
// phone layout: tabs.test.mjs.)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAccessible } from './axe.mjs';
import { chromiumSuite, screenshotPath } from './harness.mjs';
import { arrive, recordNotifications } from './people.mjs';

/** Stands between a page and Web PubSub, counting the `typing` events the page sends; `seen.ws`
 * is the page's side, to send it frames as the service would. */
function countingTyping(seen) {
  return (ws) => {
    seen.ws = ws;
    const service = ws.connectToServer();
    ws.onMessage((message) => {
      if (String(message).includes('"event":"typing"')) seen.count += 1;
      service.send(message);
    });
  };
}

describe('the conversation in Chromium', () => {
  const people = [];
  const suite = chromiumSuite(() => people);
  let ann;
  let bo;
  const annTyping = { count: 0 };

  test('one sender in a row shares a header and an avatar; links are links, safely', async () => {
    ann = await arrive(suite.browser, suite.chatr.base, 'ann lee', { routeSocket: countingTyping(annTyping) });
    bo = await arrive(suite.browser, suite.chatr.base, 'bo', { permissions: ['notifications'], initScript: recordNotifications });
    people.push(ann, bo);
    await ann.createChat('Trail talk');
    await bo.join('Trail talk');
    await ann.say('Map: https://example.org/map?trail=3.');
    await ann.say('javascript:alert(1) is not a link');
    await ann.say('<b>bold?</b>');
    const first = bo.message('ann lee', 'Map:');
    await bo.message('ann lee', '<b>bold?</b>').waitFor();
    assert.equal(await first.locator('.avatar').textContent(), 'AL');
    assert.match(await first.locator('.avatar').getAttribute('style'), /background/);
    for (const text of ['javascript:alert', '<b>bold?</b>']) {
      const later = bo.message('ann lee', text);
      assert.equal(await later.evaluate((el) => el.classList.contains('is-more')), true, `${text}: grouped`);
      assert.equal(await later.locator('.meta').evaluate((el) => el.classList.contains('is-sr-only')), true, 'no header on screen');
      assert.equal(await later.locator('.sender').textContent(), 'ann lee', 'but named for screen readers');
    }
    const link = bo.pane().getByRole('link', { name: 'https://example.org/map?trail=3' });
    assert.equal(await link.getAttribute('href'), 'https://example.org/map?trail=3');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await bo.pane().getByRole('link').count(), 1, 'javascript: and markup stay text');
    assert.equal(await bo.pane().locator('b').count(), 0);
    await bo.say('On my way');
    assert.equal(await bo.message('You', 'On my way').locator('.avatar').count(), 0, 'our own: no avatar');
    await ann.pane().getByRole('button', { name: 'Show all 2' }).click();
    await ann.pane().locator('.notice-item', { hasText: 'bo has joined the chat' }).waitFor();
    await assertAccessible(ann.page, 'grouped messages, a link, notices unfolded');
  });

  test('coming back to unread messages, a line marks where they start; notices never count', async () => {
    await bo.createChat('Elsewhere');
    const cy = await arrive(suite.browser, suite.chatr.base, 'cy');
    people.push(cy);
    await cy.join('Trail talk');
    // bo has the join (in the pane out of sight), and it counts for nothing.
    await bo.page.locator('.chat-pane .notice-text', { hasText: 'cy has joined the chat' }).waitFor({ state: 'attached' });
    assert.equal(await bo.tab('Trail talk').locator('.unread').count(), 0, 'a join is not unread');
    await ann.say('While you were away');
    await ann.say('And one more');
    await bo.tab('Trail talk').locator('.unread', { hasText: '2' }).waitFor();
    await bo.tab('Trail talk').click();
    const line = bo.pane().locator('.unread-line', { hasText: 'New messages' });
    await line.waitFor();
    const after = await line.evaluate((el) => el.nextElementSibling.textContent);
    assert.match(after, /While you were away/);
    await bo.page.screenshot({ path: screenshotPath('new-messages-line') });
    await assertAccessible(bo.page, 'the new messages line');
    await bo.say('Read them');
    await line.waitFor({ state: 'detached' });
    await cy.context.close();
    people.splice(people.indexOf(cy), 1);
  });

  test('@ picks from the members, goes by id, and is highlighted, counted and notified', async () => {
    await arrive(suite.browser, suite.chatr.base, 'bonnie').then((p) => p.context.close()); // signed in, not a member
    await bo.tab('Elsewhere').click();
    await bo.page.evaluate(() => window.__hide(true));
    await ann.tab('Trail talk').click();
    const box = ann.pane().locator('textarea.composer-input');
    await box.pressSequentially('Look @b');
    const options = ann.page.locator('.mention-picker').getByRole('option');
    await options.filter({ hasText: 'bo' }).first().waitFor();
    // The search for "b" has answered once bo shows: members only, bonnie is not in the chat.
    assert.deepEqual(await options.allTextContents(), ['bo']);
    assert.equal(await box.getAttribute('aria-controls'), await ann.page.locator('.mention-picker [role="listbox"]').getAttribute('id'));
    await ann.page.locator('.mention-picker').getByText('bo, 1 of 1. Enter picks.').waitFor({ state: 'attached' });
    await box.press('Enter');
    assert.equal(await box.inputValue(), 'Look @bo ');
    await box.pressSequentially('here');
    await box.press('Enter');
    await ann.message('You', 'Look @bo here').locator('.mention', { hasText: '@bo' }).waitFor();
    await bo.tab('Trail talk').locator('.unread.has-mention', { hasText: '1' }).waitFor();
    await bo.chatEntry('Trail talk').locator('.unread.has-mention').waitFor();
    assert.deepEqual(await bo.page.evaluate(() => window.__notifications), [
      { title: 'ann lee mentioned you in Trail talk', body: 'Look @bo here' },
    ]);
    assert.equal(await bo.page.title(), '(1) chatr', 'the title counts what is unread');
    await bo.page.evaluate(() => window.__hide(false));
    await bo.tab('Trail talk').click();
    const mentioned = bo.message('ann lee', 'Look @bo here');
    await mentioned.locator('mark.mention.is-me', { hasText: '@bo' }).waitFor();
    assert.equal(await mentioned.evaluate((el) => el.classList.contains('mentions-me')), true);
    await bo.page.screenshot({ path: screenshotPath('mention') });
    await assertAccessible(bo.page, 'a message that mentions me');
  });

  test('a direct message to a hidden page also comes as a browser notification, when permitted', async () => {
    const gina = await arrive(suite.browser, suite.chatr.base, 'gina', {
      permissions: ['notifications'],
      initScript: recordNotifications,
    });
    try {
      await gina.page.evaluate(() => window.__hide(true));
      await ann.user('gina').locator('button').click();
      await ann.tab('Chat with gina').and(ann.page.locator('[aria-selected="true"]')).waitFor();
      assert.deepEqual(await gina.page.evaluate(() => window.__notifications), [], 'opening it is not news');
      await ann.say('Are you there, gina?');
      await gina.popup('Are you there, gina?').waitFor();
      assert.deepEqual(await gina.page.evaluate(() => window.__notifications), [{ title: 'ann lee', body: 'Are you there, gina?' }]);
      // Back to the page, on that conversation: the popup has done its work.
      await gina.page.evaluate(() => window.__hide(false));
      await gina.popup('Are you there, gina?').waitFor({ state: 'detached' });
      gina.check();
    } finally {
      await gina.context.close();
    }
    await ann.page.getByRole('tab', { name: /Chat with gina/ }).click();
    await ann.user('gina').waitFor({ state: 'detached' });
    assert.equal(await ann.notice('went offline').count(), 0, 'presence is the people list, not a chat line');
    await ann.pane().getByRole('button', { name: 'Close Chat with gina' }).click();
    await ann.page.getByRole('tab', { name: /Chat with gina/ }).waitFor({ state: 'detached' });
  });

  test('a name with a space is picked whole; with nobody by that name the picker gets out of the way', async () => {
    await bo.tab('Trail talk').click();
    const box = bo.pane().locator('textarea.composer-input');
    const picker = bo.page.locator('.mention-picker');
    await box.pressSequentially('Thanks @ann l');
    await picker.getByRole('option', { name: 'ann lee' }).waitFor();
    await box.press('Tab');
    assert.equal(await box.inputValue(), 'Thanks @ann lee ');
    await box.pressSequentially('and @zed and');
    await picker.waitFor({ state: 'detached' });
    await box.pressSequentially(' more');
    assert.equal(await picker.count(), 0, 'it stays closed for that @');
    await box.press('Enter');
    const sent = ann.message('bo', 'Thanks @ann lee and @zed and more');
    await sent.locator('mark.mention.is-me', { hasText: '@ann lee' }).waitFor();
    assert.equal(await sent.locator('mark').count(), 1, '@zed is text');
  });

  test('someone offline who never wrote here is still named where a message mentions them', async () => {
    // cy joined Trail talk, said nothing and has gone; ann picks her all the same.
    const box = ann.pane().locator('textarea.composer-input');
    await ann.tab('Trail talk').click();
    await box.pressSequentially('Ask @c');
    await ann.page.locator('.mention-picker').getByRole('option', { name: 'cy' }).waitFor();
    await box.press('Enter');
    await box.press('Enter');
    await bo.message('ann lee', 'Ask @cy').waitFor();
    await bo.page.reload();
    await bo.online();
    await bo.join('Trail talk');
    await bo.message('ann lee', 'Ask @cy').locator('mark.mention', { hasText: '@cy' }).waitFor();
  });

  test('who is typing shows to the others until their message comes, and typing sends little', async () => {
    await ann.createChat('Typing room');
    await bo.join('Typing room');
    // The server has bo's join (ann hears of it): from now on bo is in the chat's group.
    await ann.notice('bo joined').waitFor();
    const sentBefore = annTyping.count;
    const box = ann.pane().locator('textarea.composer-input');
    const started = Date.now();
    await box.pressSequentially('Typing a long thought', { delay: 5 });
    const most = 1 + Math.floor((Date.now() - started) / 3000);
    const typing = bo.pane().getByText('ann lee is typing…');
    await typing.waitFor();
    const sent = annTyping.count - sentBefore;
    assert.ok(sent >= 1 && sent <= most, `${sent} typing events for 21 keys: at most one every 3 s`);
    assert.equal(await ann.pane().getByText('is typing').count(), 0, 'never to the typist');
    await bo.page.screenshot({ path: screenshotPath('typing') });
    await box.press('Enter');
    await bo.message('ann lee', 'Typing a long thought').waitFor();
    // Gone with the message, not 5 s after the typing began.
    assert.equal(await bo.pane().getByText('is typing').count(), 0, 'the message ends the typing line');
    assert.equal(annTyping.count - sentBefore, sent, 'nothing when nobody types');
  });

  test('a refused typing event is not news: no toast, where other refusals show', async () => {
    const refused = (action) =>
      JSON.stringify({
        type: 'message',
        from: 'server',
        dataType: 'json',
        data: { chatEvent: 'actionRefused', data: JSON.stringify({ action, reason: 'rateLimited', message: 'Slow down' }) },
      });
    annTyping.ws.send(refused('typing'));
    annTyping.ws.send(refused('createChat'));
    // Frames arrive in order: once the second shows, the first has been handled.
    await ann.page.locator('.toast', { hasText: "Couldn't create the chat: you are sending too fast" }).waitFor();
    assert.equal(await ann.page.locator('.toast', { hasText: 'sending too fast' }).count(), 1, 'the typing refusal said nothing');
  });

  test('people and chats with the same name are told apart, names in full on hover', async () => {
    const samGitHub = await arrive(suite.browser, suite.chatr.base, 'sam', { id: 'sam-github' });
    const samMicrosoft = await arrive(suite.browser, suite.chatr.base, 'sam', { provider: 'aad', id: 'sam-aad' });
    people.push(samGitHub, samMicrosoft);
    const long = 'Weekend hike planning for the whole group';
    await ann.createChat(long);
    await bo.createChat(long);
    const sams = ann.user('sam');
    await sams.nth(1).waitFor();
    assert.deepEqual((await sams.locator('.name-detail').allTextContents()).sort(), ['GitHub', 'Microsoft']);
    const chats = ann.chatEntry(long);
    await chats.nth(1).waitFor();
    assert.deepEqual((await chats.locator('.name-detail').allTextContents()).sort(), ['by bo', 'by you']);
    assert.match(await chats.first().locator('.side-button').getAttribute('title'), new RegExp(`^${long}`));
    await ann.page.screenshot({ path: screenshotPath('names-told-apart') });
    // Their conversations too: in the list, on the tabs and in the headings.
    for (const sam of [samGitHub, samMicrosoft]) {
      await sams
        .filter({ has: ann.page.getByText(sam.id === 'sam-aad' ? 'Microsoft' : 'GitHub') })
        .locator('button')
        .click();
      // That conversation's own tab in front (not the other sam's, selected a moment ago).
      const tabId = `tab-private_${ann.id}_${sam.id}`.replace(/[^A-Za-z0-9_-]/g, '-');
      await ann.page.locator(`#${tabId}[aria-selected="true"]`).waitFor();
      await ann.say(`Hello, ${sam.id}`);
    }
    assert.deepEqual(
      (
        await ann.page
          .getByRole('tab', { name: /Chat with sam/ })
          .locator('.name-detail')
          .allTextContents()
      ).sort(),
      ['GitHub', 'Microsoft'],
    );
    assert.match(await ann.pane().locator('.pane-title').textContent(), /Chat with sam (GitHub|Microsoft)/);
    for (const sam of [samGitHub, samMicrosoft]) await sam.context.close();
    people.splice(people.indexOf(samGitHub), 2);
  });

  test('a direct message reaches someone offline, who finds it when they come', async () => {
    const dee = await arrive(suite.browser, suite.chatr.base, 'dee');
    await dee.context.close();
    await ann.page.getByRole('button', { name: 'New direct message' }).click();
    await ann.page.getByLabel('Person to message').fill('de');
    const option = ann.page.getByRole('option', { name: /dee/ });
    await option.getByText('offline').waitFor();
    await ann.page.screenshot({ path: screenshotPath('new-direct-message') });
    await ann.page.keyboard.press('Enter');
    await ann.tab('Chat with dee').and(ann.page.locator('[aria-selected="true"]')).waitFor();
    await ann.direct('dee').waitFor();
    await ann.say('For when you are back');
    const back = await arrive(suite.browser, suite.chatr.base, 'dee');
    people.push(back);
    // Its only unread conversation comes to the front, and is listed.
    await back.tab('Chat with ann lee').and(back.page.locator('[aria-selected="true"]')).waitFor();
    await back.message('ann lee', 'For when you are back').waitFor();
    await back.direct('ann lee').waitFor();
  });

  test('someone joining a long chat starts at its newest message', async () => {
    await ann.createChat('Long read');
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    for (let n = 1; n <= 6; n += 1) await ann.say(`Part ${n}\n${lines}`);
    const dee = people[people.length - 1];
    await dee.join('Long read');
    await dee.message('ann lee', 'Part 6').waitFor();
    await dee.page.waitForFunction(() => {
      const log = document.querySelector('.chat-pane:not([style*="none"]) [role="log"]');
      return log.scrollHeight > log.clientHeight * 1.5 && log.scrollHeight - log.scrollTop - log.clientHeight <= 48;
    });
    // Scrolled up with a tall draft: the "New messages" button stays in sight, above the box.
    await dee
      .pane()
      .locator('textarea.composer-input')
      .fill(Array.from({ length: 6 }, (_, i) => `draft ${i}`).join('\n'));
    await dee.pane().locator('textarea.composer-input').dispatchEvent('input');
    await dee
      .pane()
      .getByRole('log')
      .evaluate((log) => {
        log.scrollTop = 0;
      });
    await ann.say('Part 7');
    const below = dee.pane().getByRole('button', { name: /New messages/ });
    await below.waitFor();
    const onTop = await below.evaluate((button) => {
      const r = button.getBoundingClientRect();
      return button.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    });
    assert.ok(onTop, 'nothing covers the button');
    await below.click();
    await dee.message('ann lee', 'Part 7').waitFor();
    await dee.pane().locator('textarea.composer-input').fill('');
  });

  test('the keyboard stays where it was: after an edit, a delete, a leave', async () => {
    await ann.tab('Long read').click();
    await ann.say('Edit me');
    const mine = ann.message('You', 'Edit me');
    await mine.hover();
    await mine.getByRole('button', { name: /^Edit your message/ }).click();
    await ann.page.keyboard.press('End');
    await ann.page.keyboard.type(', edited');
    await ann.page.keyboard.press('Enter');
    await ann.message('You', 'Edit me, edited').waitFor();
    assert.match(await ann.page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^Edit your message/);
    await ann.page.keyboard.press('Tab');
    await ann.page.keyboard.press('Enter'); // Delete…: the keyboard is on the safe answer
    const focused = () => ann.page.evaluate(() => document.activeElement.textContent.trim());
    assert.equal(await focused(), 'Keep');
    await ann.page.keyboard.press('Escape'); // is Keep too: back on Delete…
    assert.match(await focused(), /^Delete/);
    await ann.page.keyboard.press('Enter');
    await ann.page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'Delete');
    await ann.page.keyboard.press('Enter');
    await ann.pane().getByText('This message was deleted.').waitFor();
    assert.equal(await ann.page.evaluate(() => document.activeElement.getAttribute('role')), 'log');
    await ann.pane().getByRole('button', { name: 'Leave Long read' }).press('Enter');
    await ann.page.getByRole('tab', { name: /Long read/ }).waitFor({ state: 'detached' });
    await ann.page.waitForFunction(() => document.activeElement?.classList.contains('composer-input'));
  });

  test('Enter sends a message whose @ names nobody picked, and the browser going offline shows at once', async () => {
    await bo.tab('Trail talk').click();
    const box = bo.pane().locator('textarea.composer-input');
    await box.pressSequentially('see you @ann lee tomorrow');
    await box.press('Enter');
    await ann.tab('Trail talk').click();
    await ann.message('bo', 'see you @ann lee tomorrow').waitFor();
    assert.equal(await box.inputValue(), '', 'sent, not held');
    await bo.context.setOffline(true);
    await bo.page.locator('.connection-pill', { hasText: /Offline|Reconnecting/ }).waitFor();
    await bo.page.locator('.user-list.is-unknown').waitFor();
    // Written while offline: shown as not sent yet, and it goes by itself on reconnect.
    await box.fill('Written on the train');
    await box.press('Enter');
    await bo.message('You', 'Written on the train').getByText('It goes as soon as chatr reconnects').waitFor();
    await bo.context.setOffline(false);
    await bo.online();
    await bo.page.locator('.user-list.is-unknown').waitFor({ state: 'detached' });
    await ann.message('bo', 'Written on the train').waitFor();
  });
});
