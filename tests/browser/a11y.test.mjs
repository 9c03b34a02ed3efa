// axe-core, in Chromium, on every screen a person sees: the login page (signed out and
// signed in), the main screen with chats, tabs, a direct-message popup and a toast, the
// new-chat and new-direct-message dialogs, the @ picker, someone typing, and the phone
// layout. No serious or critical violation may remain.

import { describe, test } from 'node:test';
import { assertAccessible } from './axe.mjs';
import { chromiumSuite, guardPage } from './harness.mjs';
import { arrive } from './people.mjs';

describe('accessibility (axe-core)', () => {
  const people = [];

  const suite = chromiumSuite(() => people);

  test('the login page, signed out and signed in, has no serious violation', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    const guard = guardPage(page, 'login');
    await page.goto(`${suite.chatr.base}/login.html`);
    await page.getByRole('link', { name: 'Sign in with GitHub' }).waitFor();
    await assertAccessible(page, 'login page, signed out');
    guard.check();
    await context.close();

    const signedIn = await arrive(suite.browser, suite.chatr.base, 'ana');
    people.push(signedIn);
    const login = await signedIn.context.newPage();
    const loginGuard = guardPage(login, 'login signed in');
    await login.goto(`${suite.chatr.base}/login.html`);
    await login.getByRole('heading', { name: 'You are signed in' }).waitFor();
    await assertAccessible(login, 'login page, signed in');
    loginGuard.check();
    await login.close();
  });

  test('the main screen with chats, a direct-message popup and a toast has no serious violation', async () => {
    const [ana] = people;
    const ben = await arrive(suite.browser, suite.chatr.base, 'ben', { provider: 'aad' });
    people.push(ben);
    await ana.createChat('Design review');
    await ana.say('Hello, accessible world');
    await ben.join('Design review');
    await ben.say('Hi ana');
    await ana.message('ben', 'Hi ana').waitFor();
    await ana.createChat('Second room');
    await ben.say('Are you still there?');
    await ben.user('ana').locator('button').click();
    await ben.tab('Chat with ana').and(ben.page.locator('[aria-selected="true"]')).waitFor();
    await ben.say('Just between us, https://example.org/notes');
    await ana.popup('Just between us').waitFor();
    await ana.tab('Design review').locator('.unread').waitFor();
    await ana
      .chatEntry('Second room')
      .getByRole('button', { name: /Delete/ })
      .waitFor();
    await ana.page.getByRole('button', { name: 'New chat' }).click();
    await ana.page.getByLabel('Chat name').fill('bad\u0007name');
    await ana.page.keyboard.press('Enter');
    await ana.page.locator('.toast').waitFor();
    await assertAccessible(ana.page, 'main screen');
    await assertAccessible(ben.page, 'main screen of the initiator');
  });

  test('the new chat dialog and the delete confirmation have no serious violation', async () => {
    const [ana] = people;
    await ana.page.getByRole('button', { name: 'New chat' }).click();
    await ana.page.getByRole('dialog', { name: 'New group chat' }).waitFor();
    await ana.page.keyboard.press('Enter');
    await ana.page.getByText('Give the chat a name.').waitFor();
    await assertAccessible(ana.page, 'new chat dialog with an error');
    await ana.page.keyboard.press('Escape');
    await ana
      .chatEntry('Second room')
      .getByRole('button', { name: /Delete/ })
      .click();
    await ana.page.getByRole('alertdialog').waitFor();
    await assertAccessible(ana.page, 'delete confirmation');
    await ana.page.keyboard.press('Escape');
  });

  test('the direct-message search, the @ picker and typing have no serious violation', async () => {
    const [ana, ben] = people;
    await ana.page.getByRole('button', { name: 'New direct message' }).click();
    await ana.page.getByLabel('Person to message').fill('be');
    await ana.page.getByRole('option', { name: /ben/ }).waitFor();
    await assertAccessible(ana.page, 'new direct message dialog with results');
    await ana.page.keyboard.press('Escape');
    // A chat where ana has not typed yet: her first key tells the others.
    await ana.createChat('Typing check');
    await ben.join('Typing check');
    await ana.notice('ben joined').waitFor();
    const box = ana.pane().locator('textarea.composer-input');
    await box.fill('Thanks @b');
    await box.press('End');
    await box.press('e');
    await ana.page.locator('.mention-picker').getByRole('option', { name: /ben/ }).waitFor();
    await ben.pane().getByText('ana is typing…').waitFor();
    await assertAccessible(ana.page, 'the @ picker open');
    await assertAccessible(ben.page, 'someone typing');
    await box.press('Escape');
    await box.fill('');
  });

  test('the phone layout, lists folded and unfolded, has no serious violation', async () => {
    const [, ben] = people;
    await ben.page.setViewportSize({ width: 390, height: 800 });
    await ben.page.locator('#sidebar').waitFor({ state: 'hidden' });
    await assertAccessible(ben.page, 'phone, lists folded');
    await ben.page.getByRole('button', { name: 'Chats & people' }).click();
    await ben.page.locator('#sidebar').waitFor();
    await assertAccessible(ben.page, 'phone, lists unfolded');
    await ben.page.getByRole('button', { name: 'New direct message' }).click();
    await ben.page.getByLabel('Person to message').fill('an');
    await ben.page.getByRole('option', { name: /ana/ }).waitFor();
    await assertAccessible(ben.page, 'phone, new direct message dialog');
    await ben.page.keyboard.press('Escape');
  });
});
