// A person's tabs in Chromium (issue 18): what one browser tab reads the others stop counting,
// and at phone width the tab in front is scrolled into view, the placeholder fits and Send is
// the main button.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { chromiumSuite, guardPage, screenshotPath, WAIT_MS } from './harness.mjs';
import { arrive } from './people.mjs';

describe('tabs in Chromium', () => {
  const people = [];
  const suite = chromiumSuite(() => people);
  let ann;
  let bo;

  before(async () => {
    ann = await arrive(suite.browser, suite.chatr.base, 'ann lee');
    bo = await arrive(suite.browser, suite.chatr.base, 'bo');
    people.push(ann, bo);
    await ann.createChat('Trail talk');
    await bo.join('Trail talk');
    for (let n = 1; n <= 12; n += 1) await ann.say(`Trail note ${n}`);
    await bo.createChat('Elsewhere');
    await bo.tab('Trail talk').click();
  });

  test('what one tab of a person reads, their other tabs stop counting', async () => {
    const second = await bo.context.newPage();
    second.setDefaultTimeout(WAIT_MS);
    const guard = guardPage(second, 'bo, second tab');
    try {
      await second.goto(suite.chatr.base);
      await second.locator('.connection-pill.is-online').waitFor();
      for (const name of ['Trail talk', 'Elsewhere']) {
        await second.locator('.chat-list .side-item', { hasText: name }).locator('.side-button').click();
        await second.getByRole('tab', { name: new RegExp(name), selected: true }).waitFor();
      }
      await ann.say('Read in one place');
      // The first tab shows it (and reads it); the second has it out of sight.
      await bo.message('ann lee', 'Read in one place').waitFor();
      await second.locator('.chat-message', { hasText: 'Read in one place' }).waitFor({ state: 'attached' });
      await second
        .getByRole('tab', { name: /Trail talk/ })
        .locator('.unread')
        .waitFor({ state: 'detached' });
      guard.check();
    } finally {
      await second.close();
    }
  });

  test('at phone width the tab in front scrolls into view, the placeholder fits and Send is the main button', async () => {
    for (const name of ['Phone one', 'Phone two', 'Phone three']) await bo.createChat(name);
    await bo.page.setViewportSize({ width: 390, height: 800 });
    // Brought to the front from the lists (not by clicking the tab, which scrolls to it itself).
    await bo.page.getByRole('button', { name: 'Chats & people' }).click();
    await bo.chatEntry('Trail talk').locator('.side-button').click();
    await bo.tab('Trail talk').and(bo.page.locator('[aria-selected="true"]')).waitFor();
    await bo.page.waitForFunction(() => {
      const strip = document.querySelector('.tab-strip').getBoundingClientRect();
      const tab = document.querySelector('[role="tab"][aria-selected="true"]').getBoundingClientRect();
      return tab.left >= strip.left - 1 && tab.right <= strip.right + 1;
    });
    const box = bo.pane().locator('textarea.composer-input');
    assert.equal(await box.getAttribute('placeholder'), 'Message #Trail talk');
    const fits = await box.evaluate((el) => {
      const style = getComputedStyle(el);
      const context = document.createElement('canvas').getContext('2d');
      context.font = `${style.fontSize} ${style.fontFamily}`;
      const room = el.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
      return context.measureText(el.placeholder).width <= room;
    });
    assert.ok(fits, 'the placeholder is not cut');
    assert.equal(await bo.pane().locator('.composer-hint').isVisible(), false, 'no keyboard hint on a phone');
    const send = bo.pane().getByRole('button', { name: 'Send' });
    assert.equal(await send.evaluate((el) => el.classList.contains('is-primary')), true);
    const size = await send.boundingBox();
    assert.ok(size.width >= 44 && size.height >= 44, `a thumb-sized Send (${size.width}×${size.height})`);
    await bo.page.screenshot({ path: screenshotPath('phone-conversation') });
  });
});
