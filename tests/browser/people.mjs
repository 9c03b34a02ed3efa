// People at the Chromium suite's browser: each one a Playwright context of their own, signed
// in with the real form or with the auth cookie, with a guard on their page and the locators
// a test needs to read their screen as they see it.

import { authCookie, guardPage, principal, WAIT_MS } from './harness.mjs';

/**
 * What signing in through the form is known to log, each with its reason: a guard of a page
 * that signs in that way allows exactly these.
 */
export const FORM_SIGN_IN_NOISE = [
  [/^request failed: \S+\/favicon\.svg \(/, 'leaving a page cancels its favicon load'],
  [
    /^request failed: \S+\/\.auth\/me \(/,
    'choosing a provider before the login page has asked /.auth/me who is signed in cancels that question',
  ],
];

/**
 * An init script that records what the page shows as browser notifications
 * (`window.__notifications`) and lets a test hide the page and show it again
 * (`window.__hide(true)`, `window.__hide(false)`: as the browser does, with `visibilitychange`).
 */
export function recordNotifications() {
  window.__notifications = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options?.body });
    }
  };
  Object.defineProperty(Document.prototype, 'hidden', { get: () => window.__hidden === true, configurable: true });
  window.__hide = (hidden) => {
    window.__hidden = hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}

/** Signs in through the dev server's login form, the way a person does. */
export async function signInWithForm(page, base, providerLabel, name) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login\.html$/);
  await page.getByRole('link', { name: `Sign in with ${providerLabel}` }).click();
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('User id (optional)').fill(`${name}-id`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

/**
 * A signed-in person on the main screen, connected. `form: true` signs in through the form;
 * otherwise the cookie is set directly (`id`: the user id, `<name>-id` unless given). `query`
 * is appended to `/` (e.g. `?idleSeconds=2`);
 * `permissions` are granted to the page, `initScript` runs before its own scripts, and
 * `routeSocket(ws)` stands between the page and Web PubSub (Playwright's `routeWebSocket`).
 */
export async function arrive(
  browser,
  base,
  name,
  { provider = 'github', id = `${name}-id`, form = false, query = '', permissions = [], initScript, routeSocket } = {},
) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  if (routeSocket) await context.routeWebSocket(/\/client\/hubs\//, routeSocket);
  if (permissions.length > 0) await context.grantPermissions(permissions, { origin: base });
  if (initScript) await context.addInitScript(initScript);
  if (!form) {
    await context.addCookies([{ name: 'StaticWebAppsAuthCookie', value: authCookie(principal(name, provider, id)), url: base }]);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const guard = guardPage(page, name);
  if (form) for (const [pattern, why] of FORM_SIGN_IN_NOISE) guard.allow(pattern, why);
  if (form) await signInWithForm(page, base, provider === 'aad' ? 'Microsoft' : 'GitHub', name);
  if (!form || query) await page.goto(`${base}/${query}`);
  const person = new Person(name, context, page, guard, id);
  await person.online();
  return person;
}

export class Person {
  constructor(name, context, page, guard, id = `${name}-id`) {
    Object.assign(this, { name, id, context, page, guard });
  }

  online() {
    return this.page.locator('.connection-pill.is-online').waitFor();
  }

  /** The entry of a user in the people list. */
  user(name) {
    return this.page.locator('.user-list .user').filter({ has: this.page.locator('.side-name', { hasText: new RegExp(`^${name}$`) }) });
  }

  /** The entry of a conversation in the "Direct messages" list. */
  direct(name) {
    return this.page
      .getByRole('region', { name: 'Direct messages' })
      .getByRole('listitem')
      .filter({ has: this.page.getByText(name, { exact: true }) });
  }

  /** The popup of a direct message that says `text`. */
  popup(text) {
    return this.page.getByRole('region', { name: /^Direct message from / }).filter({ hasText: text });
  }

  /** The entry of a chat in the group chat list. */
  chatEntry(name) {
    return this.page.locator('.chat-list .side-item').filter({ hasText: name });
  }

  tab(name) {
    return this.page.getByRole('tab', { name: new RegExp(name) });
  }

  /** The visible chat pane. */
  pane() {
    return this.page.locator('.chat-pane:visible');
  }

  /** The visible pane's message bubbles. */
  messages() {
    return this.pane().locator('.chat-message');
  }

  message(sender, text) {
    return this.messages()
      .filter({ has: this.page.locator('.sender', { hasText: new RegExp(`^${sender}$`) }) })
      .filter({ hasText: text });
  }

  notice(text) {
    return this.pane().locator('.notice-text', { hasText: text });
  }

  async createChat(name) {
    await this.page.getByRole('button', { name: 'New chat' }).click();
    await this.page.getByLabel('Chat name').fill(name);
    await this.page.keyboard.press('Enter');
    await this.tab(name).and(this.page.locator('[aria-selected="true"]')).waitFor();
  }

  async join(chatName) {
    await this.chatEntry(chatName).locator('.side-button').click();
    await this.tab(chatName).and(this.page.locator('[aria-selected="true"]')).waitFor();
  }

  /** Types into the visible chat's box and presses Enter. */
  async say(text) {
    const box = this.pane().getByRole('textbox');
    await box.fill(text);
    await box.press('Enter');
    await this.message('You', text).waitFor();
  }

  /** Fails on any console error or failed request this person's page had, then forgets them. */
  check() {
    this.guard.check();
  }
}
