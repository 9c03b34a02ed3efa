// The browser client in Firefox (Debian's firefox-esr, driven over WebDriver BiDi by
// puppeteer-core): two people sign in through the login form, one creates a chat, the other
// joins it, and both send and receive. Fails on any console error or failed request it does
// not name.
//
// Each person has a Firefox of their own, as two people have two screens: pages of one
// Firefox share a window, so all but the newest are background tabs (`document.hidden`),
// which Firefox barely renders, and a click there waited seconds for a frame (the suite's
// old flake).

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { guardPage, screenshotPath, startChatr, WAIT_MS } from './harness.mjs';
import { FORM_SIGN_IN_NOISE } from './people.mjs';

/** Waits until some element matching `selector` contains `text`. */
async function waitForText(page, selector, text) {
  try {
    await page.waitForFunction(
      (sel, want) => [...document.querySelectorAll(sel)].some((el) => el.textContent.includes(want)),
      { timeout: WAIT_MS },
      selector,
      text,
    );
  } catch (error) {
    throw new Error(`no ${selector} showed “${text}”: ${error.message}`);
  }
}

/** Creates a group chat from the dialog and waits for its tab in front. */
async function createChat(page, name) {
  await page.locator('button.new-chat').click();
  await page.waitForSelector('#new-chat-name');
  await page.type('#new-chat-name', name);
  await page.keyboard.press('Enter');
  await waitForText(page, '[role="tab"][aria-selected="true"]', name);
}

/** A message bubble's sender and text, as the page shows them. */
function bubbles(page) {
  return page.$$eval('.chat-pane .chat-message', (nodes) =>
    nodes.map((n) => ({ sender: n.querySelector('.sender').textContent, text: n.querySelector('.text').textContent })),
  );
}

describe('the chat in Firefox', () => {
  let chatr;
  const people = {};

  before(async () => {
    chatr = await startChatr();
  });

  after(async () => {
    await Promise.all(Object.values(people).map(({ browser }) => browser.close()));
    await chatr?.stop();
  });

  afterEach(() => {
    for (const { guard } of Object.values(people)) guard?.check();
  });

  async function signIn(name, providerLabel) {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: '/usr/bin/firefox-esr',
      headless: true,
      protocol: 'webDriverBiDi',
    });
    people[name] = { browser };
    const [page] = await browser.pages();
    page.setDefaultTimeout(WAIT_MS);
    await page.setViewport({ width: 1280, height: 800 });
    const guard = guardPage(page, name);
    for (const [pattern, why] of FORM_SIGN_IN_NOISE) guard.allow(pattern, why);
    await page.goto(`${chatr.base}/`);
    await page.locator(`a::-p-text(Sign in with ${providerLabel})`).click();
    await page.waitForSelector('#userDetails');
    await page.type('#userDetails', name);
    await page.type('#userId', `${name}-id`);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.waitForSelector('.connection-pill.is-online');
    Object.assign(people[name], { page, guard });
    return page;
  }

  test('two people sign in through the form and see each other', async () => {
    const erin = await signIn('erin', 'GitHub');
    const frank = await signIn('frank', 'Microsoft');
    await waitForText(erin, '.user-list .side-name', 'frank');
    await waitForText(frank, '.user-list .side-name', 'erin');
    assert.equal(await erin.$eval('.user.is-self .side-name', (el) => el.textContent), 'erin');
    for (const page of [erin, frank]) {
      assert.equal(await page.evaluate(() => document.visibilityState), 'visible', 'every person looks at their own page');
    }
  });

  test('one creates a chat, the other joins, and both send and receive', async () => {
    const {
      erin: { page: erin },
      frank: { page: frank },
    } = people;
    await createChat(frank, 'Firefox fans');

    await waitForText(erin, '.chat-list .side-name', 'Firefox fans');
    await erin.locator('.chat-list .side-button::-p-text(Firefox fans)').click();
    await waitForText(erin, '[role="tab"][aria-selected="true"]', 'Firefox fans');
    await waitForText(frank, '.notice-text', 'frank and erin joined');

    await erin.type('.chat-pane textarea', 'Hello from Firefox <b>really</b>');
    await erin.keyboard.press('Enter');
    await waitForText(frank, '.chat-message .text', 'Hello from Firefox <b>really</b>');
    await frank.type('.chat-pane textarea', 'Hi erin');
    await frank.keyboard.press('Enter');
    await waitForText(erin, '.chat-message .text', 'Hi erin');

    assert.deepEqual(await bubbles(erin), [
      { sender: 'You', text: 'Hello from Firefox <b>really</b>' },
      { sender: 'frank', text: 'Hi erin' },
    ]);
    assert.deepEqual(await bubbles(frank), [
      { sender: 'erin', text: 'Hello from Firefox <b>really</b>' },
      { sender: 'You', text: 'Hi erin' },
    ]);
    await erin.screenshot({ path: screenshotPath('firefox-chat') });
  });

  test('after a reload the conversation is still there, and edits and deletes reach the other side', async () => {
    const {
      erin: { page: erin },
      frank: { page: frank },
    } = people;
    await erin.reload();
    await erin.waitForSelector('.connection-pill.is-online');
    await erin.locator('.chat-list .side-button::-p-text(Firefox fans)').click();
    await waitForText(erin, '.chat-message .text', 'Hi erin');
    assert.deepEqual(await bubbles(erin), [
      { sender: 'You', text: 'Hello from Firefox <b>really</b>' },
      { sender: 'frank', text: 'Hi erin' },
    ]);

    await erin.hover('.chat-message.is-own');
    await erin.locator('.chat-message.is-own button::-p-text(Edit)').click();
    await erin.waitForSelector('.edit-input');
    await erin.$eval('.edit-input', (el) => el.select());
    await erin.type('.edit-input', 'Hello from Firefox, edited');
    await erin.keyboard.press('Enter');
    await waitForText(frank, '.chat-message .text', 'Hello from Firefox, edited');
    await waitForText(frank, '.chat-message .edited', '(edited)');

    await frank.hover('.chat-message.is-own');
    await frank.locator('.chat-message.is-own button::-p-text(Delete)').click();
    await frank.locator('.message-actions .is-danger').click();
    await waitForText(erin, '.chat-message .text', 'This message was deleted.');
    assert.deepEqual(await bubbles(erin), [
      { sender: 'You', text: 'Hello from Firefox, edited' },
      { sender: '', text: 'This message was deleted.' },
    ]);
  });

  test('unread counts survive a reload, and a private message reaches someone who reloaded', async () => {
    const {
      erin: { page: erin },
      frank: { page: frank },
    } = people;
    await frank.reload();
    await frank.waitForSelector('.connection-pill.is-online');
    for (const text of ['One for later', 'Two for later']) {
      await erin.type('.chat-pane textarea', text);
      await erin.keyboard.press('Enter');
    }
    await waitForText(frank, '.chat-list .unread', '2');
    await frank.reload();
    await frank.waitForSelector('.connection-pill.is-online');
    await waitForText(frank, '.chat-list .unread', '2');
    await frank.locator('.chat-list .side-button::-p-text(Firefox fans)').click();
    await waitForText(frank, '.chat-message .text', 'Two for later');
    // The line the server's read cursor puts before what frank has not read.
    const after = await frank.$eval('.chat-pane:not([style*="none"]) .unread-line', (line) => [
      line.textContent.trim(),
      line.nextElementSibling.textContent,
    ]);
    assert.equal(after[0], 'New messages');
    assert.match(after[1], /One for later/);
    await frank.waitForSelector('.chat-list .unread', { hidden: true });

    // A chat frank joins late: what was said before is there.
    await createChat(erin, 'Late room');
    await erin.type('.chat-pane:not([style*="none"]) textarea', 'Said before frank came');
    await erin.keyboard.press('Enter');
    await waitForText(frank, '.chat-list .side-name', 'Late room');
    await frank.locator('.chat-list .side-button::-p-text(Late room)').click();
    await waitForText(frank, '.chat-message .text', 'Said before frank came');

    // A direct message, to someone found by name.
    await erin.locator('button.new-direct').click();
    await erin.waitForSelector('#new-direct-name');
    await erin.type('#new-direct-name', 'fr');
    await waitForText(erin, '#new-direct-people [role="option"]', 'frank');
    await erin.keyboard.press('Enter');
    await waitForText(erin, '[role="tab"][aria-selected="true"]', 'Chat with frank');
    // frank hears of it with its first message (after a reload too).
    await frank.reload();
    await frank.waitForSelector('.connection-pill.is-online');
    await erin.type('.chat-pane:not([style*="none"]) textarea', 'Just between us');
    await erin.keyboard.press('Enter');
    await frank.locator('[role="tab"]::-p-text(Chat with erin)').click();
    await waitForText(frank, '.chat-message .text', 'Just between us');
  });

  test('typing shows to the other, an @ mention is picked and highlighted, a direct message pops up', async () => {
    const {
      erin: { page: erin },
      frank: { page: frank },
    } = people;
    const box = '.chat-pane:not([style*="none"]) textarea';
    await createChat(erin, 'Typing in Firefox');
    await waitForText(frank, '.chat-list .side-name', 'Typing in Firefox');
    await frank.locator('.chat-list .side-button::-p-text(Typing in Firefox)').click();
    await waitForText(frank, '[role="tab"][aria-selected="true"]', 'Typing in Firefox');
    // erin hears of frank's join (the server has it): the two joins fold into one line.
    await waitForText(erin, '.chat-pane:not([style*="none"]) .notice-text', 'erin and frank joined');

    await erin.type(box, 'Thinking');
    await waitForText(frank, '.chat-pane:not([style*="none"]) .typing-line', 'erin is typing…');
    await erin.keyboard.press('Enter');
    await waitForText(frank, '.chat-message .text', 'Thinking');
    // Gone with the message, not 5 s after the typing began.
    assert.equal(await frank.$eval('.chat-pane:not([style*="none"]) .typing-line', (el) => el.textContent.trim()), '');

    await frank.locator('[role="tab"]::-p-text(Chat with erin)').click();
    await erin.type(box, 'Over to @fr');
    await waitForText(erin, '.mention-picker [role="option"]', 'frank');
    await erin.keyboard.press('Enter');
    await erin.type(box, 'now');
    await erin.keyboard.press('Enter');
    await waitForText(frank, '[role="tab"] .unread.has-mention', '1');
    await frank.locator('[role="tab"]::-p-text(Typing in Firefox)').click();
    await waitForText(frank, '.chat-message mark.mention.is-me', '@frank');

    await erin.locator('[role="tab"]::-p-text(Chat with frank)').click();
    await erin.type(box, 'Popup please');
    await erin.keyboard.press('Enter');
    await waitForText(frank, '.invite', 'Popup please');
    await waitForText(frank, '.invite', 'erin');
    assert.equal(await erin.$$eval('.invite', (nodes) => nodes.length), 0, 'never to the one who wrote');
    await frank.keyboard.press('Escape');
    await frank.waitForSelector('.invite', { hidden: true, timeout: WAIT_MS }).catch((error) => {
      throw new Error(`Escape did not close the popup: ${error.message}`);
    });
  });
});
